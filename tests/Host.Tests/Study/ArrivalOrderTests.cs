using V2V.Coordinator.Ledger;
using V2V.Host.Study;
using V2V.Market.Configuration;

namespace V2V.Host.Tests.Study;

public sealed class ArrivalOrderTests
{
    private const int Precision = 12;

    [Fact]
    public void Bins_FourDistinctArrivalsInQuarters_OnePerQuarterByTimeNotByPosition()
    {
        Assert.Equal([2, 0, 1, 3], ArrivalOrder.Bins([30, 10, 20, 40], 4)!);
    }

    [Fact]
    public void Bins_FiveArrivalsInQuarters_QuantilesTenthToNineTenths()
    {
        // Quantiles (m + 1/2) / 5 = 0.1, 0.3, 0.5, 0.7, 0.9: quarters 0, 1, 2, 2, 3.
        Assert.Equal([0, 1, 2, 2, 3], ArrivalOrder.Bins([1, 2, 3, 4, 5], 4)!);
    }

    [Fact]
    public void Bins_TwoOrdersAtTheSameTime_ShareTheirMeanPosition()
    {
        // Positions 1 and 2 tie: mean 1.5, quantile (1.5 + 0.5) / 4 = 0.5, the third quarter for both.
        Assert.Equal([0, 2, 2, 3], ArrivalOrder.Bins([0, 5, 5, 9], 4)!);
    }

    [Fact]
    public void Bins_AllAtTheSameTimeOrOneOrder_NoArrivalOrder()
    {
        Assert.Null(ArrivalOrder.Bins([7, 7, 7], 4));
        Assert.Null(ArrivalOrder.Bins([7], 4));
    }

    [Fact]
    public void Of_HandWrittenLedger_PerBinStatisticsFromCommittedTradesOnly()
    {
        // Step 0: buyers A (t 100), B (t 300, slow), C (t 400) and seller S (t 200); two halves of arrivals: A and S
        // first, B and C last. A buys 2 kWh at 0.20 and B 1 kWh at 0.18 from S; C's 0.5 kWh is voided, so C has no
        // trade. Step 1: two orders at the same time, no arrival order. One order was rejected as late.
        var ledger = ArrivalOrder.ReadLedger(
        [
            new RunStarted(0, 0, "nash", "truthful", 4, 2, 75, 0.9),
            new OrderAccepted(0, "A", "buyer", 0.30, 4, 0.30, 100),
            new OrderAccepted(0, "S", "seller", 0.10, 3, 0.10, 200),
            new OrderAccepted(0, "B", "buyer", 0.25, 2, 0.25, 300),
            new OrderAccepted(0, "C", "buyer", 0.20, 5, 0.20, 400),
            new OrderRejected(0, "D", "late", 700_000),
            new TradeCleared(0, 0, "A", "S", 0.20, 2),
            new TradeCleared(0, 1, "B", "S", 0.18, 1),
            new TradeCleared(0, 2, "C", "S", 0.15, 0.5),
            new TradeCommitted(0, 0),
            new TradeCommitted(0, 1),
            new TradeVoided(0, 2, "timeout"),
            new OrderAccepted(1, "A", "buyer", 0.30, 4, 0.30, 1_800_000),
            new OrderAccepted(1, "S", "seller", 0.10, 3, 0.10, 1_800_000),
            new TradeCleared(1, 3, "A", "S", 0.20, 3),
            new TradeCommitted(1, 3),
        ]);

        var stats = ArrivalOrder.Of(ledger, new HashSet<string>(["B"], StringComparer.Ordinal), 2);

        Assert.Equal((1, 1, 1), (stats.BooksRanked, stats.BooksUnordered, stats.LateOrders));
        var first = stats.Buyers[0];
        Assert.Equal((1, 1, 0), (first.Orders, first.Matched, first.SlowOrders));
        Assert.Equal(0.5, first.MeanTradedShare, Precision);
        Assert.Equal(0.30 - 0.20, first.MeanPriceAdvantage, Precision);
        Assert.Equal(2 * ((0.9 * 0.30) - 0.20), first.MeanUtilityAud, Precision);
        Assert.True(double.IsNaN(first.MeanUtilityHalfWidthAud));

        var last = stats.Buyers[1];
        Assert.Equal((2, 1, 1), (last.Orders, last.Matched, last.SlowOrders));
        Assert.Equal(0.5, last.MatchRate, Precision);
        Assert.Equal(0.5, last.SlowShare, Precision);
        Assert.Equal((0.5 + 0) / 2, last.MeanTradedShare, Precision);
        Assert.Equal(0.25 - 0.18, last.MeanPriceAdvantage, Precision);
        double utilityB = 1 * ((0.9 * 0.25) - 0.18);
        Assert.Equal(utilityB / 2, last.MeanUtilityAud, Precision);

        // Utilities 0.045 and 0: sample sd 0.045 / sqrt 2, over sqrt 2 for the mean: 0.0225, times z(0.975).
        Assert.Equal(1.959963984540054 * 0.0225, last.MeanUtilityHalfWidthAud, Precision);

        var seller = stats.Sellers[0];
        Assert.Equal((1, 1), (seller.Orders, seller.Matched));
        Assert.Equal(1, seller.MeanTradedShare, Precision);
        Assert.Equal(((2 * 0.20) + (1 * 0.18)) / 3 - 0.10, seller.MeanPriceAdvantage, Precision);
        Assert.Equal((2 * 0.20) + (1 * 0.18) - (3 * 0.10), seller.MeanUtilityAud, Precision);
        Assert.Equal(0, stats.Sellers[1].Orders);
        Assert.True(double.IsNaN(stats.Sellers[1].MatchRate));
    }

    [Fact]
    public void Stats_TwoRunsAdded_SumBinByBin()
    {
        var a = new ArrivalOrderStats([new ArrivalBin(2, 1, 0, 0.5, 0.1, 0.2, 0.04)], [new ArrivalBin(1, 1, 1, 1, 0.05, 0.1, 0.01)], 3, 1, 2);
        var b = new ArrivalOrderStats([new ArrivalBin(1, 0, 1, 0, 0, 0, 0)], [new ArrivalBin(1, 0, 0, 0, 0, -0.1, 0.01)], 2, 0, 5);

        var sum = a + b;

        Assert.Equal(new ArrivalBin(3, 1, 1, 0.5, 0.1, 0.2, 0.04), sum.Buyers[0]);
        Assert.Equal(new ArrivalBin(2, 1, 1, 1, 0.05, 0, 0.02), sum.Sellers[0]);
        Assert.Equal((5, 1, 7), (sum.BooksRanked, sum.BooksUnordered, sum.LateOrders));
    }

    [Fact]
    public void Run_TiedBidsUnderDoubleAuction_ReversedBookClearsIdentically()
    {
        // Two buyers bid the same price for 2 kWh each against 3 kWh: the double auction must break the tie, and
        // the tie-break must not depend on which of the two arrived first.
        string dir = RunFolder(
            new OrderAccepted(0, "ev-000001", "buyer", 0.25, 2, 0.25, 10),
            new OrderAccepted(0, "ev-000000", "buyer", 0.25, 2, 0.25, 20),
            new OrderAccepted(0, "ev-000002", "seller", 0.10, 3, 0.10, 30));
        try
        {
            var result = ArrivalOrderSection.Run(dir, "double-auction", new ClearingConfig("double-auction", 0.001, 1e-6, 1e-9, 200), 2);

            Assert.Equal((1, 1), (result.Books, result.BooksReverseIdentical));
            Assert.Equal(0, result.BooksReproduced);
            Assert.Equal((3, 2), (result.Orders, result.OrdersTied));
            Assert.Equal(3, result.Stats.Buyers.Sum(b => b.Orders) + result.Stats.Sellers.Sum(b => b.Orders));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SlowAgents_AgentsCsv_ReadsTheSlowColumn()
    {
        string dir = RunFolder();
        try
        {
            Assert.Equal(["ev-000001"], ArrivalOrder.SlowAgents(Path.Combine(dir, "agents.csv")).Order());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string RunFolder(params LedgerEntry[] entries)
    {
        string dir = Directory.CreateTempSubdirectory("v2v-arrival-").FullName;
        var header = new RunStarted(0, 0, "double-auction", "truthful", 3, 1, 75, 1);
        File.WriteAllLines(Path.Combine(dir, "ledger.jsonl"), [LedgerJson.Serialize(header), .. entries.Select(LedgerJson.Serialize)]);
        File.WriteAllLines(Path.Combine(dir, "agents.csv"), ["agent,slow,arrival_step", "ev-000000,false,0", "ev-000001,true,0", "ev-000002,false,0"]);
        return dir;
    }
}
