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
/// The coordinator on the wall clock (MarketCoordinatorActor.WallClock.cs), driven by Akka's virtual TestScheduler:
/// its timers fire, and its measured times advance, only when the test advances the clock, so every expectation is
/// exact. A step of 30 simulated minutes lasts 1800 virtual ms here: one wall ms is 1000 simulated ms, the bid and the
/// settlement windows (10 min) last 600 ms, the commit retry interval (30 s) 30 ms.
/// </summary>
public sealed class WallClockCoordinatorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Akka.Configuration.Config VirtualTime = Akka.Configuration.ConfigurationFactory
        .ParseString("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"")
        .WithFallback(V2V.Simulation.Serialization.ProtocolSerialization.CheckingEveryMessage());

    private static readonly ProtocolConfig Protocol = new(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30));
    private static readonly WallClock Clock = new(1800);
    private const double MsPerWallMs = 1000;

    public WallClockCoordinatorTests()
        : base(VirtualTime)
    {
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public void WallClock_ScaleAndMinimumStep_FollowTheStepLength()
    {
        // 50 wall ms per 30-minute step: 1 wall ms is 36 simulated s; a 10-minute window lasts 16.7 wall ms.
        Assert.Equal(50.0 / 1_800_000, new WallClock(50).Scale(1_800_000), 15);

        // A 10-minute window of a 30-minute step must last one 10 ms tick: the step at least 30 ms.
        Assert.Equal(30, WallClock.MinimumStepWallMs(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30), TimeSpan.FromMilliseconds(10)));
        Assert.Equal(3, WallClock.MinimumStepWallMs(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30), TimeSpan.FromMilliseconds(1)));
    }

    [Fact]
    public void Coordinator_OnWallClock_TakesOrdersAtTheirMeasuredTimeAndRejectsOneAfterTheBidWindowLate()
    {
        var (facility, ledger) = Coordinator(Reliable);
        facility.ExpectMsg<BeginStep>();
        facility.Reply(RosterOfTwo);
        var opened = facility.ExpectMsg<StepOpened>();
        facility.ExpectMsg<StepOpened>();
        Assert.Equal((0.0, 600_000.0), (opened.ArrivedMs, opened.DeadlineMs));

        Scheduler.Advance(TimeSpan.FromMilliseconds(250));
        facility.Reply(Answer("b1"));
        var waiting = Sync(facility);
        Assert.Equal(("Orders", true), (waiting.Phase, waiting.WaitsForClock));

        // The bid window closes at 600 virtual ms: the book is cleared with b1 alone, nothing to propose.
        Scheduler.Advance(TimeSpan.FromMilliseconds(350));
        Sync(facility);
        Scheduler.Advance(TimeSpan.FromMilliseconds(100));
        facility.Reply(Answer("s1"));
        Assert.Equal(new OrderRefused(0, "s1", "late"), facility.ExpectMsg<OrderRefused>());
        Sync(facility);

        var accepted = Assert.Single(ledger.Entries.OfType<OrderAccepted>());
        Assert.Equal(("b1", 250 * MsPerWallMs), (accepted.Agent, accepted.ArrivalMs));
        var late = Assert.Single(ledger.Entries.OfType<OrderRejected>());
        Assert.Equal(("s1", "late", 700 * MsPerWallMs), (late.Agent, late.Reason, late.ArrivalMs));
        Assert.Empty(ledger.Entries.OfType<TradeCleared>());
        Assert.Empty(LedgerVerifier.Verify(ledger.Entries));
    }

    [Fact]
    public void Coordinator_OnWallClock_SlowEvWhoseLatencyExceedsTheWindow_IsLateAndTheStepOpensNextOnSchedule()
    {
        // s1's order spends 700 simulated s... x1000: 700 wall ms in the network, longer than the 600 ms window.
        var (facility, ledger) = Coordinator(new DelayingNetwork(MessageKind.Order, "s1", 700_000));
        facility.ExpectMsg<BeginStep>();
        facility.Reply(RosterOfTwo);
        facility.ExpectMsg<StepOpened>();
        facility.ExpectMsg<StepOpened>();
        Scheduler.Advance(TimeSpan.FromMilliseconds(100));
        facility.Reply(Answer("b1"));
        facility.Reply(Answer("s1"));
        Sync(facility);

        Scheduler.Advance(TimeSpan.FromMilliseconds(500)); // 600: the bid window closes without s1's order
        Sync(facility);
        Scheduler.Advance(TimeSpan.FromMilliseconds(200)); // 800: s1's order arrives, late
        Assert.Equal(new OrderRefused(0, "s1", "late"), facility.ExpectMsg<OrderRefused>());
        Scheduler.Advance(TimeSpan.FromMilliseconds(600)); // 1400: the settlement window closes, the step with it

        Assert.Equal(1, facility.ExpectMsg<BeginStep>().Step);
        facility.Reply(new Roster(1, [], []));
        Sync(facility);
        Assert.Equal(["b1"], ledger.Entries.OfType<OrderAccepted>().Select(o => o.Agent));
        var late = Assert.Single(ledger.Entries.OfType<OrderRejected>());
        Assert.Equal(("s1", "late", 800 * MsPerWallMs), (late.Agent, late.Reason, late.ArrivalMs));
        Assert.Equal(1, Assert.Single(ledger.Entries.OfType<StepClosed>()).Late);

        // Step 1 opens at its scheduled time, 1800 virtual ms after step 0 opened, not before.
        Scheduler.Advance(TimeSpan.FromMilliseconds(399));
        facility.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Scheduler.Advance(TimeSpan.FromMilliseconds(1));
        var next = facility.ExpectMsg<StepOpened>();
        Assert.Equal((1, 1_800_000.0, 2_400_000.0), (next.Step, next.ArrivedMs, next.DeadlineMs));
    }

    [Fact]
    public void Coordinator_OnWallClock_AcceptanceAfterTheSettlementWindow_VoidsTheTradeForTimeout()
    {
        var (facility, ledger) = Coordinator(Reliable);
        var proposals = ClearOneTrade(facility);
        var b1 = proposals.Single(p => p.Agent == "b1");
        var s1 = proposals.Single(p => p.Agent == "s1");
        facility.Reply(new FillAccepted(0, b1.Fill.TradeId, "b1", 0));
        Sync(facility);

        // The window closes 600 ms after clearing (at 600): s1's acceptance at 1300 no longer counts.
        Scheduler.Advance(TimeSpan.FromMilliseconds(600));
        Assert.Equal(["b1", "s1"], new[] { facility.ExpectMsg<FillVoided>(), facility.ExpectMsg<FillVoided>() }.Select(v => v.Agent));
        Assert.Equal(1, facility.ExpectMsg<BeginStep>().Step);
        Scheduler.Advance(TimeSpan.FromMilliseconds(100));
        facility.Reply(new FillAccepted(0, s1.Fill.TradeId, "s1", 0));
        Sync(facility);

        var voided = Assert.Single(ledger.Entries.OfType<TradeVoided>());
        Assert.Equal((b1.Fill.TradeId, "timeout"), (voided.Trade, voided.Reason));
        Assert.Empty(ledger.Entries.OfType<TradeCommitted>());
        Assert.Empty(LedgerVerifier.Verify(ledger.Entries));
    }

    [Fact]
    public void Coordinator_OnWallClock_CommitLostToOneParty_IsResentOneScaledRetryIntervalLaterAndTheStepClosesOnItsAck()
    {
        var (facility, ledger) = Coordinator(new LosingNetwork((kind, agent, attempt) => kind == MessageKind.FillCommitted && agent == "s1" && attempt == 0));
        var proposals = ClearOneTrade(facility);
        foreach (var p in proposals)
        {
            facility.Reply(new FillAccepted(0, p.Fill.TradeId, p.Agent, 0));
        }

        // Committed at once on both acceptances; b1's commit goes out, s1's is lost and waits 30 ms.
        var b1 = facility.ExpectMsg<FillCommitted>();
        Assert.Equal(("b1", 0), (b1.Agent, b1.Attempt));
        facility.Reply(new CommitAnswer(0, b1.Fill.TradeId, "b1", 0, 0, Crashed: false));
        Sync(facility);
        Assert.Single(ledger.Entries.OfType<TradeCommitted>());

        Scheduler.Advance(TimeSpan.FromMilliseconds(30));
        var s1 = facility.ExpectMsg<FillCommitted>();
        Assert.Equal(("s1", 1), (s1.Agent, s1.Attempt));
        facility.Reply(new CommitAnswer(0, s1.Fill.TradeId, "s1", 1, 0, Crashed: false));
        Sync(facility);

        // Every commit acknowledged: the step closes when the settlement window does (600 ms after clearing).
        Scheduler.Advance(TimeSpan.FromMilliseconds(569));
        facility.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Scheduler.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, facility.ExpectMsg<BeginStep>().Step);
        Assert.Empty(LedgerVerifier.Verify(ledger.Entries));
    }

    // Both EVs order at once; the bid window closes at 600 ms and greedy clears the pair: the two proposals.
    private FillProposed[] ClearOneTrade(TestProbe facility)
    {
        facility.ExpectMsg<BeginStep>();
        facility.Reply(RosterOfTwo);
        facility.ExpectMsg<StepOpened>();
        facility.ExpectMsg<StepOpened>();
        facility.Reply(Answer("b1"));
        facility.Reply(Answer("s1"));
        Sync(facility);
        Scheduler.Advance(TimeSpan.FromMilliseconds(600));
        return [facility.ExpectMsg<FillProposed>(), facility.ExpectMsg<FillProposed>()];
    }

    // Everything sent through the facility before this has been handled by the coordinator (one path, in order).
    private static MarketCoordinatorActor.WaitDescribed Sync(TestProbe facility)
    {
        facility.Reply(MarketCoordinatorActor.DescribeWait.Instance);
        return facility.ExpectMsg<MarketCoordinatorActor.WaitDescribed>();
    }

    private static LosingNetwork Reliable { get; } = new((_, _, _) => false);

    private static Roster RosterOfTwo { get; } =
        new(0, Array.Empty<DepartureReport>(), new[] { new Admission("b1", 0.40, 0.60, 8, false), new Admission("s1", 0.90, 0.50, 8, false) });

    // SessionFixture's pair: b1 bids 0.25 for 3 kWh, s1 asks 0.15 for 2 kWh. The sent time is ignored on the wall clock.
    private static OrderAnswer Answer(string agent) => new(0, agent, 0,
        agent == "b1" ? new SubmitOrder(0, "b1", Side.Buyer, 0.25, 3, 0.26) : new SubmitOrder(0, "s1", Side.Seller, 0.15, 2, 0.14), EvFault.None);

    private (TestProbe Facility, MemoryLedger Ledger) Coordinator(INetworkModel network)
    {
        var facility = CreateTestProbe("facility");
        var ledger = new MemoryLedger();
        var config = SessionFixture.Config;
        var plan = new CoordinatorPlan(config, Protocol, network, () => new GreedyAverage(config.Clearing), ledger,
            ProbeChild.Props(facility.Ref), new RunMonitor(CancellationToken.None), Clock: Clock);
        Sys.ActorOf(MarketCoordinatorActor.Props(plan));
        return (facility, ledger);
    }

    /// <summary>Delays one EV's messages of one kind by a fixed simulated time; every other message is instant.</summary>
    private sealed class DelayingNetwork(MessageKind kind, string agent, double delayMs) : INetworkModel
    {
        public bool IsInstant => false;

        public MessageFate Fate(MessageKind k, string a, int step, long key, int attempt) =>
            k == kind && a == agent ? new MessageFate(false, delayMs, null, false) : MessageFate.Instant;

        public bool IsSlow(string a) => a == agent;
    }
}
