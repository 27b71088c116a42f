using V2V.Coordinator.Ledger;
using V2V.Market.Protocol;

namespace V2V.Coordinator.Tests.Session;

public sealed class LedgerVerifierTests
{
    /// <summary>A clean ledger: one committed trade, both parties depart with the right state.</summary>
    private static List<LedgerEntry> CleanLedger()
    {
        var (session, ledger, fill) = SessionFixture.OneTradeCleared();
        session.Accept(fill.TradeId, "b1");
        session.Accept(fill.TradeId, "s1");
        session.CloseStep();
        session.Depart(new DepartureReport(1, "b1", 0.40 + (2 / 75.0), -0.40));
        session.Depart(new DepartureReport(1, "s1", 0.90 - (2 / 75.0), 0.40));
        return ledger.Entries;
    }

    [Fact]
    public void Verify_CleanLedger_NoViolations() => Assert.Empty(LedgerVerifier.Verify(CleanLedger()));

    [Fact]
    public void Verify_TradeCommittedTwice_Caught()
    {
        var entries = CleanLedger();
        var commit = entries.OfType<TradeCommitted>().Single();
        entries.Insert(entries.IndexOf(commit) + 1, commit);
        Assert.Contains(LedgerVerifier.Verify(entries), v => v.Contains("committed after it was already committed", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_TradeCommittedAndVoided_Caught()
    {
        var entries = CleanLedger();
        var commit = entries.OfType<TradeCommitted>().Single();
        entries.Insert(entries.IndexOf(commit) + 1, new TradeVoided(0, commit.Trade, "timeout"));
        Assert.Contains(LedgerVerifier.Verify(entries), v => v.Contains("voided after it was already committed", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_TradeNeverSettled_Caught()
    {
        var entries = CleanLedger();
        entries.RemoveAll(e => e is TradeCommitted);
        var violations = LedgerVerifier.Verify(entries);
        Assert.Contains(violations, v => v.Contains("neither committed nor voided", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("b1 left with SoC", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_CommitAfterAPartyLeft_Caught()
    {
        var entries = CleanLedger();
        var commit = entries.OfType<TradeCommitted>().Single();
        entries.Remove(commit);
        entries.Add(commit);
        Assert.Contains(LedgerVerifier.Verify(entries), v => v.Contains("committed after a party had left", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_PriceAboveTheBid_Caught()
    {
        var entries = CleanLedger();
        var i = entries.FindIndex(e => e is TradeCleared);
        entries[i] = ((TradeCleared)entries[i]) with { Price = 0.26 };
        Assert.Contains(LedgerVerifier.Verify(entries), v => v.Contains("outside [ask", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_QuantityAboveTheAsk_Caught()
    {
        var entries = CleanLedger();
        var i = entries.FindIndex(e => e is TradeCleared);
        entries[i] = ((TradeCleared)entries[i]) with { Quantity = 2.5 };
        Assert.Contains(LedgerVerifier.Verify(entries), v => v.Contains("s1 cleared 2.5 kWh, more than its order of 2", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_CashOff_Caught()
    {
        var entries = CleanLedger();
        var i = entries.FindLastIndex(e => e is AgentDeparted);
        entries[i] = ((AgentDeparted)entries[i]) with { CashAud = 0.80 };
        Assert.Contains(LedgerVerifier.Verify(entries), v => v.Contains("s1 left with cash 0.8", StringComparison.Ordinal));
    }

    [Fact]
    public void LedgerJson_RoundTrip_SameEntries()
    {
        var entries = CleanLedger();
        var lines = entries.Select(LedgerJson.Serialize).ToList();
        var back = lines.Select((l, n) => LedgerJson.Deserialize(l, n + 1)).ToList();
        Assert.Equal(entries, back);
        Assert.StartsWith("{\"kind\":\"run\"", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void LedgerJson_MalformedLine_NamesTheLine()
    {
        var e = Assert.Throws<LedgerFormatException>(() => LedgerJson.Deserialize("{\"kind\":\"trade\",", 7));
        Assert.StartsWith("line 7:", e.Message, StringComparison.Ordinal);
        Assert.Equal("line 7: " + ParseProblem("{\"kind\":\"trade\","), e.Message);
    }

    private static string ParseProblem(string line)
    {
        Assert.False(LedgerFile.TryParse(line, out _, out var problem));
        return problem;
    }
}
