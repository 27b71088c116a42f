using Akka.Actor;
using Akka.TestKit;
using V2V.Coordinator.Actors;
using V2V.Coordinator.Recovery;
using V2V.Market.Protocol;

namespace V2V.Coordinator.Tests.Actors;

/// <summary>
/// A facility made anew on another cluster member after its coordinator's member was lost (docs/cluster.md, "A facility
/// whose member is lost"): it takes over the EVs parked where they still run, and reports the others lost with the node,
/// in admission order, before the step's roster, whatever order the answers come in.
/// </summary>
public sealed class FacilityResumeElsewhereTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly RosterEntry[] ParkedAtResume = [new("s1", false, 9), new("b1", false, 9), new("b2", true, 9)];

    [Fact]
    public void Facility_ResumedWithEvsOnOtherMembers_TakesOverThoseFoundAndReportsTheOthersLostBeforeTheRoster()
    {
        var (facility, coordinator, region) = Facility(routeIsTheEv: false);
        facility.Tell(new ResumeRoster(1, ParkedAtResume, ["s1", "b1", "b2"], OnAnotherMember: true), coordinator.Ref);
        facility.Tell(new BeginStep(1, []), coordinator.Ref);
        Assert.Equal(["reattach s1 at 1", "reattach b1 at 1", "reattach b2 at 1"], region.ReceiveN(3).Cast<string>());

        // b2 and b1 were on the lost member (a fresh shell answers so), s1 still runs; b1 answers last. Only then does
        // the step begin: its arrival starts, and the roster follows the two verdicts, in admission order.
        var s1 = CreateTestProbe("s1");
        facility.Tell(new AgentLost(1, "b2", MarketCoordinatorActor.LostWithNode), region.Ref);
        facility.Tell(new EvStarted("s1"), s1.Ref);
        facility.Tell(new AgentLost(1, "b1", MarketCoordinatorActor.LostWithNode), region.Ref);
        region.ExpectMsg("start x1");
        facility.Tell(new EvStarted("x1"), CreateTestProbe("x1").Ref);
        Assert.Equal(new AgentLost(1, "b1", MarketCoordinatorActor.LostWithNode), coordinator.ExpectMsg<AgentLost>());
        Assert.Equal(new AgentLost(1, "b2", MarketCoordinatorActor.LostWithNode), coordinator.ExpectMsg<AgentLost>());
        var roster = coordinator.ExpectMsg<Roster>();
        Assert.Equal(["x1"], roster.Arrivals.Select(a => a.Agent));
        Assert.Empty(roster.Departures);

        // s1 is the facility's again: it is watched, so its end is a loss like any EV's.
        Sys.Stop(s1.Ref);
        Assert.Equal(new AgentLost(1, "s1", "lost"), coordinator.ExpectMsg<AgentLost>());
    }

    [Fact]
    public void Facility_ResumedWithItsOwnChildren_ReportsEveryParkedEvLostWithTheNodeBeforeTheRoster()
    {
        var (facility, coordinator, region) = Facility(routeIsTheEv: true);
        facility.Tell(new ResumeRoster(1, ParkedAtResume, ["s1", "b1", "b2"], OnAnotherMember: true), coordinator.Ref);
        facility.Tell(new BeginStep(1, []), coordinator.Ref);

        Assert.Equal(
            ParkedAtResume.Select(p => new AgentLost(1, p.Agent, MarketCoordinatorActor.LostWithNode)),
            [coordinator.ExpectMsg<AgentLost>(), coordinator.ExpectMsg<AgentLost>(), coordinator.ExpectMsg<AgentLost>()]);
        Assert.Equal(["x1"], coordinator.ExpectMsg<Roster>().Arrivals.Select(a => a.Agent));
        region.ExpectMsg("start x1");
    }

    private (IActorRef Facility, TestProbe Coordinator, TestProbe Region) Facility(bool routeIsTheEv)
    {
        var region = CreateTestProbe("region");
        var specs = new Dictionary<int, ArrivalSpec[]>
        {
            [0] = [.. ParkedAtResume.Select(p => Spec(p.Agent, p.Silent))],
            [1] = [Spec("x1", false)],
        };
        var coordinator = CreateTestProbe("coordinator");
        var props = FacilityActor.Props(() => new FixedArrivals(specs), SupervisorStrategy.StoppingStrategy, new ProbePlacement(region.Ref, routeIsTheEv));
        return (Sys.ActorOf(ProbeParent.Props(props, "facility", coordinator.Ref)), coordinator, region);
    }

    private static ArrivalSpec Spec(string agent, bool silent) => new(agent, 0.4, 0.6, 9, silent, _ => Props.Empty);

    // Tells a probe what the facility asks of it; with routeIsTheEv the probe is every EV's actor.
    private sealed class ProbePlacement(IActorRef region, bool routeIsTheEv) : IEvPlacement
    {
        public bool RouteIsTheEv => routeIsTheEv;

        public IActorRef Start(IActorContext facility, ArrivalSpec spec)
        {
            region.Tell("start " + spec.Agent, facility.Self);
            return region;
        }

        public IActorRef Reattach(IActorContext facility, string agent, int step)
        {
            region.Tell($"reattach {agent} at {step}", facility.Self);
            return region;
        }

        public void Send(IActorRef route, IWithAgentId message, IActorRef sender) => route.Tell(message, sender);

        public void Stop(IActorContext facility, IActorRef route, string agent) => region.Tell("stop " + agent, facility.Self);

        public void LoseNode(IActorContext facility, int node, int nodes) => region.Tell($"lose {node} of {nodes}", facility.Self);
    }
}
