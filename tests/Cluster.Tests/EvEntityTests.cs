using Akka.Actor;
using Akka.TestKit;
using V2V.Agents.Vehicles;
using V2V.Coordinator.Actors;
using V2V.EndToEnd.Tests;
using V2V.Market.Orders;
using V2V.Market.Protocol;
using V2V.Simulation.Cluster;

namespace V2V.Cluster.Tests;

/// <summary>
/// An EV's shell when a facility resumed on another member takes it over (docs/cluster.md, "A facility whose member is
/// lost"), on a one-member cluster, with probes for the facilities and coordinators: an EV that has not seen the step
/// being redone keeps its own state and trades with the new coordinator; one that has is rebuilt in the ledger's state
/// the new coordinator gives; so is one set aside after it left; an empty shell says its EV was lost with its node.
/// </summary>
public sealed class EvEntityTests(EvEntityTests.Member member) : IClassFixture<EvEntityTests.Member>
{
    private const string Run = "run-1/f000";
    private const string Agent = "ev-000001";

    // A buyer far below its target (0.2 of 0.9), so it bids at every step; its battery and efficiency are the defaults.
    private static readonly Vehicle Buyer = new(Agent, 0, 40, 0.2, 0.9, 0);

    [Fact]
    public void EvEntity_TakenOverBeforeTheStepBeingRedoneOpened_KeepsItsOwnStateAndAnswersTheNewCoordinator()
    {
        var (old, shell) = Started();
        Trade(shell, old.Coordinator, step: 0, trade: 7);

        // The facility resumes at step 1: this EV saw nothing of it, and goes on as it is.
        var (facility, next) = (Probe(), Probe());
        shell.Tell(new ReattachEv(Agent, 1, next.Ref), facility.Ref);
        facility.ExpectMsg<EvStarted>(s => s.Agent == Agent);
        shell.Tell(Opened(1), next.Ref);
        Assert.Equal(1, next.ExpectMsg<OrderAnswer>().Step);
        shell.Tell(new Depart(2, Agent), facility.Ref);
        var report = facility.ExpectMsg<DepartureReport>();
        Assert.Equal(member.SocAfter(0.2, 5.0), report.Soc);
        Assert.Equal(-5.0 * 0.25, report.CashAud);
    }

    [Fact]
    public void EvEntity_TakenOverAfterItOpenedTheStepBeingRedone_IsRebuiltInTheStateTheNewCoordinatorGives()
    {
        var (old, shell) = Started();
        Trade(shell, old.Coordinator, step: 0, trade: 7);
        Trade(shell, old.Coordinator, step: 1, trade: 9);

        // The facility resumes at step 1, whose trade 9 the ledger never got: the EV is made again in the ledger's state.
        var (facility, next) = (Probe(), Probe());
        shell.Tell(new ReattachEv(Agent, 1, next.Ref), facility.Ref);
        Assert.Equal(new RecoverState(Agent), next.ExpectMsg<RecoverState>());
        var ledger = new StateRecovered(Agent, 0.3, -1.25, [7]);
        next.Reply(ledger);
        facility.ExpectMsg<EvStarted>(s => s.Agent == Agent);

        // It opens step 1 again (a new EV, not a stale opening), and trade 9 is new to it.
        shell.Tell(Opened(1), next.Ref);
        Assert.Equal(1, next.ExpectMsg<OrderAnswer>().Step);
        shell.Tell(new Depart(2, Agent), facility.Ref);
        var report = facility.ExpectMsg<DepartureReport>();
        Assert.Equal(0.3, report.Soc);
        Assert.Equal(-1.25, report.CashAud);
    }

    [Fact]
    public void EvEntity_SetAsideAfterItLeftAndTakenOver_IsRebuiltInTheStateTheNewCoordinatorGives()
    {
        var (old, shell) = Started();
        shell.Tell(new EvLeft(Agent), old.Facility.Ref);

        var (facility, next) = (Probe(), Probe());
        shell.Tell(new ReattachEv(Agent, 1, next.Ref), facility.Ref);
        next.ExpectMsg<RecoverState>();
        next.Reply(new StateRecovered(Agent, 0.2, 0, []));
        facility.ExpectMsg<EvStarted>(s => s.Agent == Agent);
        shell.Tell(new Depart(1, Agent), facility.Ref);
        Assert.Equal(0.2, facility.ExpectMsg<DepartureReport>().Soc);
    }

    [Fact]
    public void EvEntity_EmptyShellAskedToReattach_AnswersLostWithNode()
    {
        var shell = member.System.ActorOf(EvEntity.Props());
        var facility = Probe();
        shell.Tell(new ReattachEv(Agent, 4, Probe().Ref), facility.Ref);
        Assert.Equal(new AgentLost(4, Agent, MarketCoordinatorActor.LostWithNode), facility.ExpectMsg<AgentLost>());
    }

    private (Parties Old, IActorRef Shell) Started()
    {
        var old = new Parties(Probe(), Probe());
        var shell = member.System.ActorOf(EvEntity.Props());
        shell.Tell(new StartEv(Run, Buyer, false, old.Coordinator.Ref), old.Facility.Ref);
        old.Facility.ExpectMsg<EvStarted>(s => s.Agent == Agent);
        return (old, shell);
    }

    // The EV opens the step, bids, and takes a 5 kWh trade at 0.25 AUD/kWh with id trade.
    private static void Trade(IActorRef shell, TestProbe coordinator, int step, long trade)
    {
        shell.Tell(Opened(step), coordinator.Ref);
        Assert.NotNull(coordinator.ExpectMsg<OrderAnswer>().Order);
        shell.Tell(new FillCommitted(new Fill(step, trade, Agent, "ev-000002", 0.25, 5.0), Agent, 0, 0), coordinator.Ref);
        coordinator.ExpectMsg<CommitAnswer>(c => c.TradeId == trade);
    }

    private static StepOpened Opened(int step) => new(step, Agent, step * 1_800_000.0, step * 1_800_000.0 + 600_000, 0.25, 0.25);

    private TestProbe Probe() => new(member.System, new Akka.TestKit.Xunit2.XunitAssertions());

    private sealed record Parties(TestProbe Facility, TestProbe Coordinator);

    /// <summary>A one-member cluster (roles agents and market) that keeps the spec of <see cref="Run"/>.</summary>
    public sealed class Member : IDisposable
    {
        private readonly double batteryKwh;
        private readonly double efficiency;

        public Member()
        {
            var port = Loopback.FreePort();
            System = Loopback.Member($"{Loopback.Host}:{port}", port, ClusterRoles.Agents, ClusterRoles.Market);
            var (market, simulation) = Sim.Config("v2v.seed=3");
            batteryKwh = market.Vehicle.BatteryKwh;
            efficiency = market.Vehicle.Efficiency;
            System.ActorSelection("/user/" + RunSpecHolder.Name).Ask<RunSpecStored>(new RunSpec(Run, market, simulation), TimeSpan.FromSeconds(10))
                .GetAwaiter().GetResult();
        }

        public ActorSystem System { get; }

        /// <summary>A buyer's state of charge after one more trade of <paramref name="kwh"/> (SPEC 5), from <paramref name="soc"/>.</summary>
        public double SocAfter(double soc, double kwh) => soc + (efficiency * kwh / batteryKwh);

        public void Dispose() => System.Terminate().Wait(TimeSpan.FromSeconds(10));
    }
}
