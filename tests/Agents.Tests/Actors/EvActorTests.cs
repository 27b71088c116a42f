using Akka.Actor;
using Akka.TestKit;
using V2V.Agents.Actors;
using V2V.Agents.Policies;
using V2V.Agents.Vehicles;
using V2V.Market.Configuration;
using V2V.Market.Faults;
using V2V.Market.Orders;
using V2V.Market.Protocol;

namespace V2V.Agents.Tests.Actors;

/// <summary>
/// One EV actor (DESIGN "One market step", steps 2-5) between two probes: its market (the coordinator) and its parent
/// (the facility, which supervises it with <see cref="EvSupervision"/>). Every barrier message gets exactly one answer;
/// network copies and stale openings get none; a commit is applied once, across a planned crash too.
/// </summary>
public sealed class EvActorTests : Akka.TestKit.Xunit2.TestKit
{
    // Every message crosses the serializer, as it would between nodes.
    private static readonly Akka.Configuration.Config SerializeMessages = V2V.Simulation.Serialization.ProtocolSerialization.CheckingEveryMessage();

    // ev-1 at 0.3 of 75 kWh, target 0.7, leaving at step 12: a buyer needing 30 kWh, capped at 11 kW * 0.5 h = 5.5 kWh.
    private const double ArrivalSoc = 0.3;
    private const double BatteryKwh = 75;
    private static readonly VehicleModel Model =
        new(SpecValues.Vehicle, SpecValues.Values, SpecValues.Tariff, SpecValues.Time, SpecValues.Population.StayMaxSteps);

    private readonly TestProbe market;
    private readonly TestProbe parent;

    public EvActorTests()
        : base(SerializeMessages)
    {
        market = CreateTestProbe("market");
        parent = CreateTestProbe("facility");
    }

    [Fact]
    public void EvActor_Opening_AnswersOnceWithItsTruthfulOrderAtTheArrivalTime()
    {
        var ev = Ev("ev-1", FaultPlan.None);
        ev.Tell(Opened("ev-1", 0, arrivedMs: 1234.5), market.Ref);

        var answer = market.ExpectMsg<OrderAnswer>();
        Assert.Equal((0, "ev-1", 1234.5, EvFault.None), (answer.Step, answer.Agent, answer.SentMs, answer.Fault));
        var order = Assert.IsType<SubmitOrder>(answer.Order);

        // SPEC 2: urgency = 30 / (5.5 * 12); v = 0.05 + (0.28 - 0.05) * (0.6 + 0.4 * urgency); truthful bids v.
        var value = 0.05 + (0.23 * (0.6 + (0.4 * 30 / 66.0)));
        Assert.Equal((Side.Buyer, "ev-1", 0), (order.Side, order.Agent, order.Step));
        Assert.Equal(5.5, order.EnergyKwh, 12);
        Assert.Equal(value, order.TrueValueAudPerKwh, 12);
        Assert.Equal(value, order.PriceAudPerKwh, 12);
        market.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void EvActor_NetworkCopyOrStaleOpening_NotAnswered()
    {
        var ev = Ev("ev-1", FaultPlan.None);
        ev.Tell(Opened("ev-1", 1, arrivedMs: 10) with { Copy = 1 }, market.Ref);
        ev.Tell(Opened("ev-1", 1, arrivedMs: 20), market.Ref);
        Assert.Equal(20, market.ExpectMsg<OrderAnswer>().SentMs);

        ev.Tell(Opened("ev-1", 1, arrivedMs: 30), market.Ref); // the same step again
        ev.Tell(Opened("ev-1", 0, arrivedMs: 40), market.Ref); // an older step
        ev.Tell(Opened("ev-1", 2, arrivedMs: 50) with { Copy = 1 }, market.Ref);
        market.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        // The copy of step 2 did not count as its opening: the original still gets its answer.
        ev.Tell(Opened("ev-1", 2, arrivedMs: 60), market.Ref);
        var answer = market.ExpectMsg<OrderAnswer>();
        Assert.Equal((2, 60.0), (answer.Step, answer.SentMs));
    }

    [Fact]
    public void EvActor_Silent_NeverAnswersAnOpening()
    {
        var ev = Ev("ev-1", FaultPlan.None, silent: true);
        ev.Tell(Opened("ev-1", 0, arrivedMs: 0), market.Ref);
        ev.Tell(Opened("ev-1", 1, arrivedMs: 0), market.Ref);

        market.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void EvActor_Proposal_AcceptedOnceAtItsArrivalTimeAndItsCopyIgnored()
    {
        var ev = Ev("ev-1", FaultPlan.None);
        var fill = Bought(step: 0, tradeId: 7);
        ev.Tell(new FillProposed(fill, "ev-1", ArrivedMs: 900, Copy: 1), market.Ref);
        ev.Tell(new FillProposed(fill, "ev-1", ArrivedMs: 800), market.Ref);

        Assert.Equal(new FillAccepted(0, 7, "ev-1", 800), market.ExpectMsg<FillAccepted>());
        market.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void EvActor_CommitThenItsRepeat_AppliesOnceAndAcknowledgesBoth()
    {
        var ev = Ev("ev-1", FaultPlan.None);
        var fill = Bought(step: 0, tradeId: 7);
        ev.Tell(new FillCommitted(fill, "ev-1", Attempt: 0, ArrivedMs: 100), market.Ref);
        ev.Tell(new FillCommitted(fill, "ev-1", Attempt: 0, ArrivedMs: 150, Copy: 1), market.Ref);
        ev.Tell(new FillCommitted(fill, "ev-1", Attempt: 1, ArrivedMs: 200), market.Ref);

        Assert.Equal(new CommitAnswer(0, 7, "ev-1", 0, 100, Crashed: false), market.ExpectMsg<CommitAnswer>());
        Assert.Equal(new CommitAnswer(0, 7, "ev-1", 1, 200, Crashed: false), market.ExpectMsg<CommitAnswer>());
        market.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        AssertDepartsWith(ev, ArrivalSoc + (7.5 / BatteryKwh), -1.5);
    }

    [Fact]
    public void EvActor_PlannedCrashAtACommit_RecoversFromTheLedgerBeforeAnythingElseAndAppliesOnce()
    {
        var plan = new FaultPlan(new FaultConfig(0.5, 0, 0, 0, 0, 0, TimeSpan.Zero), seed: 4);
        var id = FirstAgent(a => plan.Crashes(a, 0));
        var ev = Ev(id, plan);
        ev.Tell(Opened(id, 0, arrivedMs: 0), market.Ref);

        // With an order, the crash waits for the step's first commit, and the opening reports no fault.
        var answer = market.ExpectMsg<OrderAnswer>();
        Assert.NotNull(answer.Order);
        Assert.Equal(EvFault.None, answer.Fault);

        var fill = Bought(step: 0, tradeId: 7, buyer: id);
        ev.Tell(new FillCommitted(fill, id, Attempt: 0, ArrivedMs: 100), market.Ref);
        Assert.Equal(new CommitAnswer(0, 7, id, 0, 100, Crashed: true), market.ExpectMsg<CommitAnswer>());
        Assert.Equal(new RecoverState(id), market.ExpectMsg<RecoverState>());

        // The resent commit and a departure wait until the ledger's view is back.
        ev.Tell(new FillCommitted(fill, id, Attempt: 1, ArrivedMs: 400), market.Ref);
        ev.Tell(new Depart(0, id), market.Ref);
        market.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(50));

        ev.Tell(new StateRecovered(id, ArrivalSoc, 0, []), market.Ref);
        Assert.Equal(new CommitAnswer(0, 7, id, 1, 400, Crashed: false), market.ExpectMsg<CommitAnswer>());
        var report = parent.ExpectMsg<DepartureReport>();
        Assert.Equal((id, 0), (report.Agent, report.Step));
        Assert.Equal(ArrivalSoc + (7.5 / BatteryKwh), report.Soc, 12);
        Assert.Equal(-1.5, report.CashAud, 12);

        // No second crash: the plan injects one per step, and the restarted instance has no order to crash on.
        ev.Tell(new FillCommitted(fill, id, Attempt: 2, ArrivedMs: 700), market.Ref);
        Assert.False(market.ExpectMsg<CommitAnswer>().Crashed);
    }

    [Fact]
    public void EvActor_RecoveredStateAlreadyHoldsTheTrade_AcknowledgesTheResentCommitWithoutApplyingIt()
    {
        var plan = new FaultPlan(new FaultConfig(0.5, 0, 0, 0, 0, 0, TimeSpan.Zero), seed: 4);
        var id = FirstAgent(a => plan.Crashes(a, 0));
        var ev = Ev(id, plan);
        ev.Tell(Opened(id, 0, arrivedMs: 0), market.Ref);
        market.ExpectMsg<OrderAnswer>();
        var fill = Bought(step: 0, tradeId: 7, buyer: id);
        ev.Tell(new FillCommitted(fill, id, Attempt: 0, ArrivedMs: 100), market.Ref);
        Assert.True(market.ExpectMsg<CommitAnswer>().Crashed);
        market.ExpectMsg<RecoverState>();

        // The ledger says trade 7 is applied (SoC 0.4, cash -1.5): the resent commit must not move anything again.
        ev.Tell(new FillCommitted(fill, id, Attempt: 1, ArrivedMs: 400), market.Ref);
        // An array, which crosses the serializer (the collection MarketSession.Recover builds does not: see the coordinator tests).
        ev.Tell(new StateRecovered(id, 0.4, -1.5, new[] { 7L }), market.Ref);

        Assert.Equal(new CommitAnswer(0, 7, id, 1, 400, Crashed: false), market.ExpectMsg<CommitAnswer>());
        AssertDepartsWith(ev, 0.4, -1.5);
    }

    [Fact]
    public void EvActor_PlannedCrashWithNothingToTrade_ReportsTheCrashWithItsAnswerThenRecovers()
    {
        var plan = new FaultPlan(new FaultConfig(0.5, 0, 0, 0, 0, 0, TimeSpan.Zero), seed: 4);
        var id = FirstAgent(a => plan.Crashes(a, 0));
        var ev = Ev(id, plan, arrivalSoc: 0.7); // at its target: neutral, no order
        ev.Tell(Opened(id, 0, arrivedMs: 9), market.Ref);

        Assert.Equal(new OrderAnswer(0, id, 9, null, EvFault.Crash), market.ExpectMsg<OrderAnswer>());
        Assert.Equal(new RecoverState(id), market.ExpectMsg<RecoverState>());
        ev.Tell(new Depart(1, id), market.Ref);
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // recovering: nothing handled yet

        ev.Tell(new StateRecovered(id, 0.7, 0, Array.Empty<long>()), market.Ref);
        var report = parent.ExpectMsg<DepartureReport>();
        Assert.Equal((1, 0.7, 0.0), (report.Step, report.Soc, report.CashAud));
    }

    [Fact]
    public void EvActor_RestartedAfterAPlannedCrash_BuildsAFreshStateForItsNewIncarnation()
    {
        var plan = new FaultPlan(new FaultConfig(0.5, 0, 0, 0, 0, 0, TimeSpan.Zero), seed: 4);
        var id = FirstAgent(a => plan.Crashes(a, 0));
        var vehicle = new Vehicle(id, ArrivalStep: 0, DepartureStep: 12, ArrivalSoc: 0.7, TargetSoc: 0.7, Markup: 0);
        var states = new List<EvAgentState>();
        var props = EvActor.Props(
            () =>
            {
                var state = new EvAgentState(vehicle, Model, TruthfulPolicy.Instance);
                lock (states)
                {
                    states.Add(state);
                }

                return state;
            },
            plan, market.Ref, silent: false, learner: null);
        var ev = Sys.ActorOf(Props.Create(() => new ForwardingParent(props, id, parent.Ref)), "parent-fresh-" + id);

        ev.Tell(Opened(id, 0, arrivedMs: 9), market.Ref);
        market.ExpectMsg<OrderAnswer>();
        market.ExpectMsg<RecoverState>();

        // One state for the first incarnation, a new one for the restarted: nothing but the ledger survives a crash.
        lock (states)
        {
            Assert.Equal(2, states.Count);
            Assert.NotSame(states[0], states[1]);
        }
    }

    [Fact]
    public void EvActor_DropsOutOnOpen_ReportsTheFaultTellsItsParentAndAnswersNothingMore()
    {
        var plan = new FaultPlan(new FaultConfig(0, 0.5, 0, 0, 0, 0, TimeSpan.Zero), seed: 3);
        var id = FirstAgent(a => plan.Dropout(a, 0) == DropoutPhase.OnOpen);
        var ev = Ev(id, plan);
        ev.Tell(Opened(id, 0, arrivedMs: 5), market.Ref);

        Assert.Equal(new OrderAnswer(0, id, 5, null, EvFault.DropoutOnOpen), market.ExpectMsg<OrderAnswer>());
        Assert.Equal(new LeavingForGood(id), parent.ExpectMsg<LeavingForGood>());

        ev.Tell(Opened(id, 1, arrivedMs: 5), market.Ref);
        ev.Tell(new Depart(1, id), market.Ref);
        market.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void EvActor_DropsOutAfterOrder_AnswersWithTheOrderThenLeavesForGood()
    {
        var plan = new FaultPlan(new FaultConfig(0, 0.5, 0, 0, 0, 0, TimeSpan.Zero), seed: 3);
        var id = FirstAgent(a => plan.Dropout(a, 0) == DropoutPhase.AfterOrder);
        var ev = Ev(id, plan);
        ev.Tell(Opened(id, 0, arrivedMs: 5), market.Ref);

        var answer = market.ExpectMsg<OrderAnswer>();
        Assert.Equal(EvFault.DropoutAfterOrder, answer.Fault);
        Assert.NotNull(answer.Order);
        Assert.Equal(new LeavingForGood(id), parent.ExpectMsg<LeavingForGood>());
    }

    private void AssertDepartsWith(IActorRef ev, double soc, double cashAud)
    {
        ev.Tell(new Depart(3, "ev"), market.Ref);
        var report = parent.ExpectMsg<DepartureReport>();
        Assert.Equal(3, report.Step);
        Assert.Equal(soc, report.Soc, 12);
        Assert.Equal(cashAud, report.CashAud, 12);
    }

    // 7.5 kWh at 0.2 AUD/kWh: +0.1 SoC (efficiency 1) and -1.5 AUD for the buyer.
    private static Fill Bought(int step, long tradeId, string buyer = "ev-1") => new(step, tradeId, buyer, "ev-9", 0.2, 7.5);

    private static StepOpened Opened(string id, int step, double arrivedMs) =>
        new(step, id, arrivedMs, DeadlineMs: arrivedMs + 300_000, LastPriceAudPerKwh: 0.165, RecentPriceAudPerKwh: 0.17);

    /// <summary>The EV as a child of a parent that supervises it as a facility does and passes what it says up to <see cref="parent"/>.</summary>
    private IActorRef Ev(string id, FaultPlan plan, bool silent = false, double arrivalSoc = ArrivalSoc)
    {
        var vehicle = new Vehicle(id, ArrivalStep: 0, DepartureStep: 12, ArrivalSoc: arrivalSoc, TargetSoc: 0.7, Markup: 0);
        var props = EvActor.Props(() => new EvAgentState(vehicle, Model, TruthfulPolicy.Instance), plan, market.Ref, silent, learner: null);
        return Sys.ActorOf(Props.Create(() => new ForwardingParent(props, id, parent.Ref)), "parent-" + id);
    }

    private static string FirstAgent(Func<string, bool> fits) =>
        Enumerable.Range(0, 10_000).Select(i => $"ev-{i}").First(fits);

    /// <summary>Supervises one EV with <see cref="EvSupervision"/>; what the EV tells it goes to a probe, anything else to the EV.</summary>
    private sealed class ForwardingParent : ReceiveActor
    {
        public ForwardingParent(Props child, string name, IActorRef probe)
        {
            var ev = Context.ActorOf(child, name);
            ReceiveAny(m => (Sender.Equals(ev) ? probe : ev).Forward(m));
        }

        protected override SupervisorStrategy SupervisorStrategy() => new EvSupervision();
    }
}
