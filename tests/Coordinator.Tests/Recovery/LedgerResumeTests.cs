using V2V.Clearing;
using V2V.Coordinator.Ledger;
using V2V.Coordinator.Recovery;
using V2V.Coordinator.Session;
using V2V.Coordinator.Tests.Session;
using V2V.Market.Orders;
using V2V.Market.Protocol;

namespace V2V.Coordinator.Tests.Recovery;

/// <summary>
/// A session rebuilt from its ledger's records is the session that wrote them: the same balances, prices, counts and
/// metrics, and the same ledger from there on. A ledger that cannot be resumed from is refused, with the reason.
/// </summary>
public sealed class LedgerResumeTests
{
    private static readonly double StepMs = TimeSpan.FromMinutes(30).TotalMilliseconds;

    [Fact]
    public void LedgerResume_TwoStepsWritten_RebuildsTheSessionTheRosterAndTheClock()
    {
        var (original, ledger) = TwoSteps();

        var point = LedgerResume.At(2, ledger.ReadBack(), SessionFixture.Config, Greedy(), new MemoryLedger());
        var resumed = point.Session;

        Assert.Equal(2, point.Step);
        Assert.Equal(1, resumed.Step);
        foreach (var agent in new[] { "b1", "s1", "b2", "s2" })
        {
            Assert.Equal(original.Recover(agent), resumed.Recover(agent), Equivalent);
        }

        Assert.Equal(original.Prices.LastAudPerKwh, resumed.Prices.LastAudPerKwh);
        Assert.Equal(original.Prices.RecentAudPerKwh, resumed.Prices.RecentAudPerKwh);
        Assert.Equal(original.Metrics(), resumed.Metrics());
        Assert.Equal(
            (original.CommittedTrades, original.VoidedTrades, original.LateOrders, original.FaultCount),
            (resumed.CommittedTrades, resumed.VoidedTrades, resumed.LateOrders, resumed.FaultCount));
        Assert.Equal(original.Participation, resumed.Participation);
        Assert.Equal(original.EverActive.Order(), resumed.EverActive.Order());

        // b1, s1 and b2 parked (s2 dropped out in step 1, so the facility is to retire it); b2 arrived silent.
        Assert.Equal(
            [new RosterEntry("b1", false, 8), new RosterEntry("s1", false, 8), new RosterEntry("b2", true, 9)],
            point.Parked);
        Assert.Equal(["b1", "s1", "b2", "s2"], point.Arrived);
        Assert.Equal(["s2"], point.Gone);

        // Step 0 settled at 20 min (its windows), step 1 at 70 min (a late acknowledgement): step 1 opened at 30 min.
        Assert.Equal(70 * 60_000.0, point.SettledMs);
        Assert.Equal([0.0, StepMs], point.StepOpenedMs);
    }

    [Fact]
    public void LedgerResume_ThenTheSameStep_WritesWhatTheOriginalSessionWrites()
    {
        var (original, ledger) = TwoSteps();
        var written = ledger.Entries.Count;
        var next = new MemoryLedger();
        var resumed = LedgerResume.At(2, ledger.ReadBack(), SessionFixture.Config, Greedy(), next).Session;

        StepTwo(original);
        StepTwo(resumed);

        Assert.Equal(ledger.Entries.Skip(written).Select(LedgerJson.Serialize), next.Entries.Select(LedgerJson.Serialize));
        Assert.Contains(next.Entries, e => e is TradeCommitted { Trade: 2 });
    }

    [Fact]
    public void LedgerResume_OnlyTheHeader_ResumesBeforeStepZero()
    {
        var (_, ledger) = SessionFixture.Create();

        var point = LedgerResume.At(0, ledger.ReadBack(), SessionFixture.Config, Greedy(), new MemoryLedger());

        Assert.Equal(-1, point.Session.Step);
        Assert.Empty(point.Parked);
        Assert.Equal(0, point.SettledMs);
    }

    public static TheoryData<string, Func<List<string>, List<string>>, string> Damaged => new()
    {
        { "torn", l => [.. l.Take(l.Count - 1), l[^1][..20]], "line 19 is cut off mid-record" },
        { "corrupt", l => [.. l.Select((x, i) => i == 4 ? "x" + x : x)], "line 5: not valid JSON at column 1" },
        { "another run", l => [l[0].Replace("\"seed\":1", "\"seed\":2", StringComparison.Ordinal), .. l.Skip(1)], "its header is another run's (seed 2," },
        { "no header", l => [.. l.Skip(1)], "it does not begin with the run header" },
        { "two headers", l => [l[0], .. l], "line 2: a second run header" },
        { "open step", l => [.. l.Take(l.Count - 1)], "it ends at line 18 with a departure entry of step 1, not at the close of step 1" },
        { "no settlement time", l => [.. l.Select(x => x.Replace(",\"settledMs\":4200000", "", StringComparison.Ordinal))], "line 19: step 1 closed without its settlement time" },
    };

    [Theory]
    [MemberData(nameof(Damaged))]
    public void LedgerResume_DamagedLedger_RefusedWithTheStepAndTheCause(string damage, Func<List<string>, List<string>> damaged, string cause)
    {
        var (_, ledger) = TwoSteps();
        var lines = damaged(ledger.Entries.Select(LedgerJson.Serialize).ToList());
        var file = LedgerFile.Parse(lines, lastLineComplete: damage != "torn", bytes: 0);

        var e = Assert.Throws<LedgerResumeException>(() => LedgerResume.At(2, file, SessionFixture.Config, Greedy(), new MemoryLedger()));

        Assert.StartsWith("cannot resume before step 2 from the ledger: " + cause, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LedgerResume_AskedForAnotherStepThanTheLedgerEndsAt_Refused()
    {
        var (_, ledger) = TwoSteps();

        var e = Assert.Throws<LedgerResumeException>(() => LedgerResume.At(1, ledger.ReadBack(), SessionFixture.Config, Greedy(), new MemoryLedger()));

        Assert.Equal("cannot resume before step 1 from the ledger: it ends at line 19 with a step entry of step 1, not at the close of step 0", e.Message);
    }

    [Fact]
    public void MarketSessionReplay_CommitOfATradeNeverCleared_RefusedNamingTheLine()
    {
        var (_, ledger) = TwoSteps();
        var entries = ledger.ReadBack().Entries.Where(e => e.Entry is not TradeCleared { Trade: 1 }).ToList();

        var e = Assert.Throws<LedgerResumeException>(() => MarketSession.Replay(SessionFixture.Config, Greedy(), new MemoryLedger(), entries));

        Assert.Equal("line 16: trade 1 commits without being cleared, or twice", e.Message);
    }

    // Step 0: b1 buys from s1 (2 kWh at 0.20), a late order from s1 is rejected; closes at 20 min.
    // Step 1: b2 arrives silent, s2 arrives; b1 buys 1 kWh from s2 at 0.19; s2 drops out after; closes at 70 min.
    private static (MarketSession Session, MemoryLedger Ledger) TwoSteps()
    {
        var (s, ledger) = SessionFixture.Create();
        s.Arrive(0, "b1", 0.40, 0.60, 8);
        s.Arrive(0, "s1", 0.90, 0.50, 8);
        s.Open(0, deadlineMs: 600_000);
        Assert.Null(s.Receive(new SubmitOrder(0, "b1", Side.Buyer, 0.25, 3, 0.26), 10));
        Assert.Null(s.Receive(new SubmitOrder(0, "s1", Side.Seller, 0.15, 2, 0.14), 20));
        Assert.Equal("late", s.Receive(new SubmitOrder(0, "s1", Side.Seller, 0.15, 2, 0.14), 700_000));
        CommitAll(s, s.Clear());
        s.CloseStep(settledMs: 1_200_000);

        s.Arrive(1, "b2", 0.30, 0.70, 9);
        s.RecordFault(1, "b2", "silent");
        s.Arrive(1, "s2", 0.95, 0.50, 9);
        s.Open(1, deadlineMs: StepMs + 600_000);
        Assert.Null(s.Receive(new SubmitOrder(1, "b1", Side.Buyer, 0.22, 1, 0.24), StepMs + 10));
        Assert.Null(s.Receive(new SubmitOrder(1, "s2", Side.Seller, 0.16, 1, 0.13), StepMs + 20));
        CommitAll(s, s.Clear());
        s.RecordFault(1, "s2", "dropout-after-clearing");
        s.Drop(1, "s2", "dropout");
        s.CloseStep(settledMs: 4_200_000);
        return (s, ledger);
    }

    // Step 2: b1 and s1 trade again, then b1 departs reporting its own state.
    private static void StepTwo(MarketSession s)
    {
        s.Open(2, deadlineMs: 4_200_000 + 600_000);
        Assert.Null(s.Receive(new SubmitOrder(2, "b1", Side.Buyer, 0.27, 2, 0.27), 4_200_010));
        Assert.Null(s.Receive(new SubmitOrder(2, "s1", Side.Seller, 0.12, 3, 0.11), 4_200_020));
        CommitAll(s, s.Clear());
        s.CloseStep(settledMs: 6_000_000);
        var b1 = s.Recover("b1");
        s.Depart(new DepartureReport(3, "b1", b1.Soc, b1.CashAud));
    }

    private static void CommitAll(MarketSession s, IReadOnlyList<Fill> fills)
    {
        foreach (var f in fills)
        {
            s.Accept(f.TradeId, f.BuyerId);
            Assert.NotNull(s.Accept(f.TradeId, f.SellerId));
        }
    }

    private static GreedyAverage Greedy() => new(SessionFixture.Config.Clearing);

    private static bool Equivalent(StateRecovered a, StateRecovered b) =>
        a.Agent == b.Agent && a.Soc.Equals(b.Soc) && a.CashAud.Equals(b.CashAud) && a.AppliedTrades.SequenceEqual(b.AppliedTrades);
}
