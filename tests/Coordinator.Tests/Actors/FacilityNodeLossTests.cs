using Akka.Actor;
using Akka.TestKit;
using V2V.Coordinator.Actors;
using V2V.Market.Protocol;

namespace V2V.Coordinator.Tests.Actors;

/// <summary>
/// The facility when a node goes: a scheduled loss holds the step's arrivals until the node has gone, and an EV lost
/// while the roster that admits it is still pending is reported after that roster, never before.
/// </summary>
public sealed class FacilityNodeLossTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public void Facility_EvLostBeforeItsRosterGoesOut_ReportsTheLossAfterTheRoster()
    {
        var (facility, coordinator, region) = Facility(routeIsTheEv: false, ("b1", 0), ("s1", 0));
        facility.Tell(new BeginStep(0, []), coordinator.Ref);
        region.ExpectMsg("start b1");
        region.ExpectMsg("start s1");
        var b1 = CreateTestProbe("b1");
        var s1 = CreateTestProbe("s1");

        // b1 confirms its start and dies (its member is gone) while s1's start is still outstanding.
        facility.Tell(new EvStarted("b1"), b1.Ref);
        Watch(b1.Ref);
        Sys.Stop(b1.Ref);
        ExpectTerminated(b1.Ref); // the facility's notice went out with this one, ahead of s1's start below
        facility.Tell(new EvStarted("s1"), s1.Ref);

        Assert.Equal(["b1", "s1"], coordinator.ExpectMsg<Roster>().Arrivals.Select(a => a.Agent));
        Assert.Equal(new AgentLost(0, "b1", "lost"), coordinator.ExpectMsg<AgentLost>());
    }

    [Fact]
    public void Facility_ScheduledNodeLoss_AdmitsTheStepsArrivalsOnlyOnceTheNodeHasGone()
    {
        var (facility, coordinator, region) = Facility(routeIsTheEv: true, ("s1", 1));
        facility.Tell(new BeginStep(0, []), coordinator.Ref);
        coordinator.ExpectMsg<Roster>();

        facility.Tell(new LoseNode(1, 2, 3), coordinator.Ref);
        facility.Tell(new BeginStep(1, []), coordinator.Ref);
        region.ExpectMsg("lose 2 of 3");
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        facility.Tell(new NodeGone(2), region.Ref);

        region.ExpectMsg("start s1");
        Assert.Equal(["s1"], coordinator.ExpectMsg<Roster>().Arrivals.Select(a => a.Agent));
    }

    private (IActorRef Facility, TestProbe Coordinator, TestProbe Region) Facility(bool routeIsTheEv, params (string Agent, int Step)[] arrivals)
    {
        var region = CreateTestProbe("region");
        var specs = arrivals.GroupBy(a => a.Step).ToDictionary(g => g.Key, g => g
            .Select(a => new ArrivalSpec(a.Agent, 0.4, 0.6, 9, false, _ => Props.Empty)).ToArray());
        var coordinator = CreateTestProbe("coordinator");
        var props = FacilityActor.Props(() => new FixedArrivals(specs), SupervisorStrategy.StoppingStrategy, new ProbePlacement(region.Ref, routeIsTheEv));
        return (Sys.ActorOf(ProbeParent.Props(props, "facility", coordinator.Ref)), coordinator, region);
    }

    // Tells a probe what the facility asks of it; with routeIsTheEv the probe itself is every EV's actor.
    private sealed class ProbePlacement(IActorRef region, bool routeIsTheEv) : IEvPlacement
    {
        public bool RouteIsTheEv => routeIsTheEv;

        public IActorRef Start(IActorContext facility, ArrivalSpec spec)
        {
            region.Tell("start " + spec.Agent, facility.Self);
            return region;
        }

        public void Send(IActorRef route, IWithAgentId message, IActorRef sender) => route.Tell(message, sender);

        public void Stop(IActorContext facility, IActorRef route, string agent)
        {
        }

        public void LoseNode(IActorContext facility, int node, int nodes) => region.Tell($"lose {node} of {nodes}", facility.Self);
    }
}
