using Akka.Actor;
using Akka.TestKit;
using V2V.Clearing;
using V2V.Coordinator.Actors;
using V2V.Coordinator.Ledger;
using V2V.Coordinator.Tests.Session;
using V2V.Market.Configuration;
using V2V.Market.Network;
using V2V.Market.Orders;
using V2V.Market.Protocol;

namespace V2V.Coordinator.Tests.Actors;

/// <summary>
/// The facility (the roster, the address of each EV by id) with probes as its EVs and its coordinator, and the
/// coordinator (the clock of its facility, DESIGN "One market step") with a probe behind its facility, which plays
/// every EV: the ledger follows simulated arrival and EV id, never the order answers physically came in.
/// </summary>
public sealed class FacilityAndCoordinatorTests : Akka.TestKit.Xunit2.TestKit
{
    // Every message crosses the serializer, as it would between nodes.
    private static readonly Akka.Configuration.Config SerializeMessages = V2V.Simulation.Serialization.ProtocolSerialization.CheckingEveryMessage();

    public FacilityAndCoordinatorTests()
        : base(SerializeMessages)
    {
    }

    // Bid window 10 min, settlement window 10 min, commit retry 30 s (reference.conf).
    private static readonly ProtocolConfig Protocol = new(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30));
    private const double DeadlineMs = 600_000;

    [Fact]
    public void Facility_BeginStep_AdmitsArrivalsInOrderAndForwardsEachMessageToItsEvById()
    {
        var (facility, coordinator, evs) = Facility(("b1", 0, 5), ("s1", 0, 5));
        facility.Tell(new BeginStep(0, []), coordinator.Ref);

        var roster = coordinator.ExpectMsg<Roster>();
        Assert.Equal(0, roster.Step);
        Assert.Empty(roster.Departures);
        Assert.Equal(["b1", "s1"], roster.Arrivals.Select(a => a.Agent));
        Assert.Equal(new Admission("b1", 0.4, 0.6, 5, false), roster.Arrivals[0]);

        var opened = new StepOpened(0, "s1", 0, DeadlineMs, 0.2, 0.2);
        facility.Tell(opened, coordinator.Ref);
        facility.Tell(new StepOpened(0, "nobody", 0, DeadlineMs, 0.2, 0.2), coordinator.Ref);
        Assert.Equal(opened, evs["s1"].ExpectMsg<StepOpened>());
        evs["b1"].ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        evs["s1"].ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Facility_Departures_WaitsForEveryReportListsThemByIdAndStopsTheEvs()
    {
        var (facility, coordinator, evs) = Facility(("s1", 0, 2), ("b1", 0, 2), ("a1", 0, 3));
        facility.Tell(new BeginStep(0, []), coordinator.Ref);
        coordinator.ExpectMsg<Roster>();
        facility.Tell(new BeginStep(1, []), coordinator.Ref);
        var quiet = coordinator.ExpectMsg<Roster>();
        Assert.Equal(1, quiet.Step);
        Assert.Empty(quiet.Departures);
        Assert.Empty(quiet.Arrivals);

        facility.Tell(new BeginStep(2, []), coordinator.Ref);
        Assert.Equal(new Depart(2, "s1"), evs["s1"].ExpectMsg<Depart>());
        Assert.Equal(new Depart(2, "b1"), evs["b1"].ExpectMsg<Depart>());
        evs["a1"].ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        var s1 = Watch(evs["s1"].LastSender);
        var b1 = Watch(evs["b1"].LastSender);

        evs["s1"].Reply(new DepartureReport(2, "s1", 0.55, 1.25));
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // b1 has not reported yet
        evs["b1"].Reply(new DepartureReport(2, "b1", 0.65, -1.0));

        var roster = coordinator.ExpectMsg<Roster>();
        Assert.Equal(2, roster.Step);
        Assert.Equal([new DepartureReport(2, "b1", 0.65, -1.0), new DepartureReport(2, "s1", 0.55, 1.25)], roster.Departures);
        ExpectTerminated(s1);
        ExpectTerminated(b1);

        // Departed EVs are not addressed any more, and not reported lost.
        facility.Tell(new StepOpened(3, "b1", 0, DeadlineMs, 0.2, 0.2), coordinator.Ref);
        facility.Tell(new BeginStep(3, []), coordinator.Ref);
        Assert.Equal(new Depart(3, "a1"), evs["a1"].ExpectMsg<Depart>());
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Facility_EvStopsUnannounced_ReportsItLostFromTheCurrentStep()
    {
        var (facility, coordinator, evs) = Facility(("b1", 0, 8), ("s1", 0, 8));
        facility.Tell(new BeginStep(0, []), coordinator.Ref);
        coordinator.ExpectMsg<Roster>();
        facility.Tell(new BeginStep(1, []), coordinator.Ref);
        coordinator.ExpectMsg<Roster>();
        facility.Tell(new StepOpened(1, "s1", 0, DeadlineMs, 0.2, 0.2), coordinator.Ref);
        evs["s1"].ExpectMsg<StepOpened>();

        Sys.Stop(evs["s1"].LastSender);

        Assert.Equal(new AgentLost(1, "s1", "lost"), coordinator.ExpectMsg<AgentLost>());
        facility.Tell(new EndRun(2, []), coordinator.Ref);
        evs["b1"].ExpectMsg<Depart>();
        evs["s1"].ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Facility_DroppedEvListedInGoneBeforeItsOwnNotice_IsStoppedAndNeverSentHome()
    {
        // The coordinator can start the next step before the EV's own LeavingForGood reaches the facility: the step's
        // Gone list must retire it, or the facility would send it home and wait for ever for its report.
        var (facility, coordinator, evs) = Facility(("b1", 0, 1), ("s1", 0, 1));
        facility.Tell(new BeginStep(0, []), coordinator.Ref);
        coordinator.ExpectMsg<Roster>();
        facility.Tell(new StepOpened(0, "s1", 0, DeadlineMs, 0.2, 0.2), coordinator.Ref);
        evs["s1"].ExpectMsg<StepOpened>();
        var s1 = Watch(evs["s1"].LastSender);

        facility.Tell(new BeginStep(1, ["s1"]), coordinator.Ref);

        ExpectTerminated(s1);
        evs["b1"].ExpectMsg<Depart>();
        evs["b1"].Reply(new DepartureReport(1, "b1", 0.4, 0));
        Assert.Equal([new DepartureReport(1, "b1", 0.4, 0)], coordinator.ExpectMsg<Roster>().Departures);
        evs["s1"].ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Facility_EvLeavesForGood_StopsItWithoutReportingItLost()
    {
        var (facility, coordinator, evs) = Facility(("b1", 0, 8), ("s1", 0, 8));
        facility.Tell(new BeginStep(0, []), coordinator.Ref);
        coordinator.ExpectMsg<Roster>();
        facility.Tell(new StepOpened(0, "s1", 0, DeadlineMs, 0.2, 0.2), coordinator.Ref);
        evs["s1"].ExpectMsg<StepOpened>();
        var s1 = Watch(evs["s1"].LastSender);

        evs["s1"].Reply(new LeavingForGood("s1"));
        ExpectTerminated(s1);
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        facility.Tell(new EndRun(1, []), coordinator.Ref);
        evs["b1"].ExpectMsg<Depart>();
        evs["b1"].Reply(new DepartureReport(1, "b1", 0.4, 0));
        Assert.Equal([new DepartureReport(1, "b1", 0.4, 0)], coordinator.ExpectMsg<RunEnded>().Departures);
    }

    [Fact]
    public void Coordinator_Start_BeginsStepZeroThenOpensTheStepOnceToEachArrival()
    {
        var facility = CreateTestProbe("facility");
        Coordinator(facility, new MemoryLedger(), Reliable);

        Assert.Equal(0, facility.ExpectMsg<BeginStep>().Step);
        facility.Reply(RosterOfTwo);

        var b1 = facility.ExpectMsg<StepOpened>();
        var s1 = facility.ExpectMsg<StepOpened>();
        Assert.Equal(("b1", 0, 0.0, DeadlineMs, 0), (b1.Agent, b1.Step, b1.ArrivedMs, b1.DeadlineMs, b1.Copy));
        Assert.Equal(("s1", 0, 0.0, DeadlineMs, 0), (s1.Agent, s1.Step, s1.ArrivedMs, s1.DeadlineMs, s1.Copy));
        facility.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Theory]
    [InlineData(10.0, 5.0, new[] { "s1", "b1" })]
    [InlineData(7.0, 7.0, new[] { "b1", "s1" })]
    [InlineData(5.0, 10.0, new[] { "b1", "s1" })]
    public void Coordinator_AnswersInEitherPhysicalOrder_SameLedgerOrderedBySimulatedArrivalThenId(
        double b1SentMs, double s1SentMs, string[] expectedOrder)
    {
        var inOrder = RunStepZero(b1SentMs, s1SentMs, reverse: false).Ledger;
        var reversed = RunStepZero(b1SentMs, s1SentMs, reverse: true).Ledger;

        Assert.Equal(inOrder.Select(LedgerJson.Serialize), reversed.Select(LedgerJson.Serialize));
        var accepted = inOrder.OfType<OrderAccepted>().ToList();
        Assert.Equal(expectedOrder, accepted.Select(o => o.Agent));
        Assert.Equal(expectedOrder.Select(a => a == "b1" ? b1SentMs : s1SentMs), accepted.Select(o => o.ArrivalMs));

        // SessionFixture's pair: greedy clears 2 kWh at 0.20, and the trade commits.
        var trade = Assert.Single(inOrder.OfType<TradeCleared>());
        Assert.Equal(("b1", "s1", 0.20, 2.0), (trade.Buyer, trade.Seller, Math.Round(trade.Price, 12), trade.Quantity));
        Assert.Equal(trade.Trade, Assert.Single(inOrder.OfType<TradeCommitted>()).Trade);
    }

    [Fact]
    public void Coordinator_OpeningLostToOneEv_ClosesTheOrdersWithoutWaitingForIt()
    {
        var facility = CreateTestProbe("facility");
        var ledger = new MemoryLedger();
        Coordinator(facility, ledger, new LosingNetwork((kind, agent, _) => kind == MessageKind.StepOpened && agent == "s1"));
        facility.ExpectMsg<BeginStep>();
        facility.Reply(RosterOfTwo);

        Assert.Equal("b1", facility.ExpectMsg<StepOpened>().Agent);
        facility.Reply(Answer("b1", 10));

        // Only b1 ordered: nothing clears, the step closes and step 1 begins.
        Assert.Equal(1, facility.ExpectMsg<BeginStep>().Step);
        Assert.Equal(["b1"], ledger.Entries.OfType<OrderAccepted>().Select(o => o.Agent));
        Assert.Empty(ledger.Entries.OfType<TradeCleared>());
        Assert.Single(ledger.Entries.OfType<StepClosed>());
    }

    [Fact]
    public void Coordinator_CommitLostToOneParty_ResendsItInTheNextRoundOneRetryIntervalLater()
    {
        var facility = CreateTestProbe("facility");
        var ledger = new MemoryLedger();
        Coordinator(facility, ledger, new LosingNetwork((kind, agent, attempt) => kind == MessageKind.FillCommitted && agent == "s1" && attempt == 0));
        facility.ExpectMsg<BeginStep>();
        facility.Reply(RosterOfTwo);
        facility.ExpectMsg<StepOpened>();
        facility.ExpectMsg<StepOpened>();
        facility.Reply(Answer("b1", 10));
        facility.Reply(Answer("s1", 20));
        var proposals = new[] { facility.ExpectMsg<FillProposed>(), facility.ExpectMsg<FillProposed>() };
        foreach (var p in proposals)
        {
            facility.Reply(new FillAccepted(0, p.Fill.TradeId, p.Agent, DeadlineMs + 1000));
        }

        // The round waits only for what was delivered (b1's commit); s1's resend goes out in the next round.
        var b1 = facility.ExpectMsg<FillCommitted>();
        Assert.Equal(("b1", 0, DeadlineMs + 1000), (b1.Agent, b1.Attempt, b1.ArrivedMs));
        var toCoordinator = facility.LastSender;
        facility.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        toCoordinator.Tell(new CommitAnswer(0, b1.Fill.TradeId, "b1", 0, b1.ArrivedMs, Crashed: false), facility.Ref);

        var s1 = facility.ExpectMsg<FillCommitted>();
        Assert.Equal(("s1", 1, DeadlineMs + 1000 + 30_000), (s1.Agent, s1.Attempt, s1.ArrivedMs));
        facility.Reply(new CommitAnswer(0, s1.Fill.TradeId, "s1", 1, s1.ArrivedMs, Crashed: false));

        Assert.Equal(1, facility.ExpectMsg<BeginStep>().Step);
        Assert.Single(ledger.Entries.OfType<TradeCommitted>());
    }

    [Fact]
    public void Coordinator_RecoverStateAfterACommittedTrade_AnswersWithTheLedgerView()
    {
        var (ledger, facility) = RunStepZero(10, 20, reverse: false);
        var trade = Assert.Single(ledger.OfType<TradeCommitted>()).Trade;

        facility.Reply(new RecoverState("b1"));

        // b1 bought 2 kWh at 0.20: 0.40 + 2 / 75 (efficiency 1), cash -0.40.
        var recovered = facility.ExpectMsg<StateRecovered>();
        Assert.Equal("b1", recovered.Agent);
        Assert.Equal([trade], recovered.AppliedTrades);
        Assert.Equal(0.40 + (2 / 75.0), recovered.Soc, 12);
        Assert.Equal(-0.40, recovered.CashAud, 12);
    }

    private static LosingNetwork Reliable { get; } = new((_, _, _) => false);

    private static Roster RosterOfTwo { get; } =
        new(0, Array.Empty<DepartureReport>(), new[] { new Admission("b1", 0.40, 0.60, 8, false), new Admission("s1", 0.90, 0.50, 8, false) });

    // SessionFixture's pair: b1 bids 0.25 for 3 kWh, s1 asks 0.15 for 2 kWh.
    private static OrderAnswer Answer(string agent, double sentMs) => new(0, agent, sentMs,
        agent == "b1" ? new SubmitOrder(0, "b1", Side.Buyer, 0.25, 3, 0.26) : new SubmitOrder(0, "s1", Side.Seller, 0.15, 2, 0.14), EvFault.None);

    /// <summary>Plays both EVs through step 0 (every answer sent in physical order or reversed); returns the ledger when step 1 begins.</summary>
    private (List<LedgerEntry> Ledger, TestProbe Facility) RunStepZero(double b1SentMs, double s1SentMs, bool reverse)
    {
        var facility = CreateTestProbe();
        var ledger = new MemoryLedger();
        Coordinator(facility, ledger, Reliable);
        facility.ExpectMsg<BeginStep>();
        facility.Reply(RosterOfTwo);
        facility.ExpectMsg<StepOpened>();
        facility.ExpectMsg<StepOpened>();
        var answers = new[] { Answer("b1", b1SentMs), Answer("s1", s1SentMs) };
        foreach (var a in reverse ? answers.Reverse() : answers)
        {
            facility.Reply(a);
        }

        var proposals = new[] { facility.ExpectMsg<FillProposed>(), facility.ExpectMsg<FillProposed>() };
        foreach (var p in reverse ? proposals.Reverse() : proposals)
        {
            facility.Reply(new FillAccepted(0, p.Fill.TradeId, p.Agent, p.Agent == "b1" ? DeadlineMs + 1000 : DeadlineMs + 2000));
        }

        var commits = new[] { facility.ExpectMsg<FillCommitted>(), facility.ExpectMsg<FillCommitted>() };
        foreach (var c in reverse ? commits.Reverse() : commits)
        {
            facility.Reply(new CommitAnswer(0, c.Fill.TradeId, c.Agent, c.Attempt, c.ArrivedMs + (c.Agent == "b1" ? 5 : 7), Crashed: false));
        }

        Assert.Equal(1, facility.ExpectMsg<BeginStep>().Step);
        return ([.. ledger.Entries], facility);
    }

    private void Coordinator(TestProbe facility, MemoryLedger ledger, INetworkModel network)
    {
        var config = SessionFixture.Config;
        var plan = new CoordinatorPlan(config, Protocol, network, () => new GreedyAverage(config.Clearing), ledger,
            ProbeChild.Props(facility.Ref), new RunMonitor(CancellationToken.None));
        Sys.ActorOf(MarketCoordinatorActor.Props(plan));
    }

    /// <summary>A facility under a parent that passes its messages to a probe, with one probe per EV it admits.</summary>
    private (IActorRef Facility, TestProbe Coordinator, Dictionary<string, TestProbe> Evs) Facility(
        params (string Agent, int ArrivalStep, int DepartureStep)[] arrivals)
    {
        var evs = arrivals.ToDictionary(a => a.Agent, a => CreateTestProbe("ev-" + a.Agent));
        var specs = arrivals
            .GroupBy(a => a.ArrivalStep)
            .ToDictionary(g => g.Key, g => g.Select(a =>
            {
                var probe = evs[a.Agent].Ref;
                var buyer = a.Agent.StartsWith('b');
                return new ArrivalSpec(a.Agent, buyer ? 0.4 : 0.9, buyer ? 0.6 : 0.5, a.DepartureStep, false, _ => ProbeChild.Props(probe));
            }).ToArray());
        var coordinator = CreateTestProbe("coordinator");
        var props = FacilityActor.Props(() => new FixedArrivals(specs), SupervisorStrategy.StoppingStrategy);
        return (Sys.ActorOf(ProbeParent.Props(props, "facility", coordinator.Ref)), coordinator, evs);
    }
}
