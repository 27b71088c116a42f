using FsCheck;
using FsCheck.Fluent;
using V2V.Clearing;
using V2V.Clearing.Tests.Contract;
using V2V.Market.Orders;
using static V2V.Clearing.Tests.Contract.ContractBooks;

namespace V2V.Clearing.Tests.Baselines;

/// <summary>Greedy average (SPEC 4) on hand-computed books and against a pick-the-best-pair reference.</summary>
public sealed class GreedyAverageTests
{
    private static readonly GreedyAverage Greedy = new(Config("greedy-average"));

    [Fact]
    public void GreedyAverage_LargestSpreadFirst_ThenWhatIsLeft()
    {
        // Spreads: b1-s1 0.14, b1-s2 0.08, b2-s1 0.08, b2-s2 0.02. b1-s1 uses up both, leaving b2-s2.
        var book = Book([Bid("b2", 0.22, 3), Bid("b1", 0.28, 3)], [Ask("s2", 0.20, 3), Ask("s1", 0.14, 3)]);

        var result = Greedy.Clear(book);

        Assert.Null(result.Certificate);
        Assert.Equal([new Trade("b1", "s1", (0.28 + 0.14) / 2, 3), new Trade("b2", "s2", (0.22 + 0.20) / 2, 3)], result.Trades);
    }

    [Fact]
    public void GreedyAverage_PairPricesAreMidpointsNotUniform()
    {
        // Spreads: b1-s1 0.10, b1-s2 0.06, b2-s1 0.04, b2-s2 0. b1-s1: 2 kWh (s1 used up); b1-s2: 1 kWh
        // (b1 used up); b2-s1: nothing left; b2-s2: 1 kWh at b = a.
        var book = Book([Bid("b1", 0.26, 3), Bid("b2", 0.20, 1)], [Ask("s1", 0.16, 2), Ask("s2", 0.20, 2)]);

        var result = Greedy.Clear(book);

        Assert.Equal(
            [
                new Trade("b1", "s1", (0.26 + 0.16) / 2, 2),
                new Trade("b1", "s2", (0.26 + 0.20) / 2, 1),
                new Trade("b2", "s2", 0.20, 1),
            ],
            result.Trades);
    }

    [Fact]
    public void GreedyAverage_EqualSpreads_BuyerIdBreaksTheTie()
    {
        // Binary-exact prices so the spreads are exactly equal (0.125): b1 before b2.
        var book = Book([Bid("b2", 0.25, 2), Bid("b1", 0.25, 2)], [Ask("s1", 0.125, 3)]);

        var result = Greedy.Clear(book);

        Assert.Equal([new Trade("b1", "s1", 0.1875, 2), new Trade("b2", "s1", 0.1875, 1)], result.Trades);
    }

    [Fact]
    public void GreedyAverage_EqualSpreads_SellerIdBreaksTheTie()
    {
        var book = Book([Bid("b1", 0.25, 3)], [Ask("s2", 0.125, 2), Ask("s1", 0.125, 2)]);

        var result = Greedy.Clear(book);

        Assert.Equal([new Trade("b1", "s1", 0.1875, 2), new Trade("b1", "s2", 0.1875, 1)], result.Trades);
    }

    [Fact]
    public void GreedyAverage_PairBelowMinimum_SkippedWithoutUsingUpTheSeller()
    {
        // b1-s1 has the larger spread but only 0.3 kWh < 0.5: skipped, so b2 gets all of s1's 2 kWh.
        var greedy = new GreedyAverage(Config("greedy-average") with { MinTradeKwh = 0.5 });
        var book = Book([Bid("b1", 0.28, 0.3), Bid("b2", 0.26, 2)], [Ask("s1", 0.14, 2)]);

        var result = greedy.Clear(book);

        Assert.Equal([new Trade("b2", "s1", (0.26 + 0.14) / 2, 2)], result.Trades);
    }

    [Fact]
    public void GreedyAverage_RandomBooks_NoFeasiblePairLeftWithBothSidesUnfilled()
    {
        // Greedy is maximal: after it, no feasible pair has energy left on both sides.
        var config = Config("greedy-average");
        Prop.ForAll(BookGenerators.Books(), generated =>
        {
            var book = generated.ToBook();
            var trades = Greedy.Clear(book).Trades;
            foreach (var b in book.Bids)
            {
                foreach (var a in book.Asks)
                {
                    if (b.PriceAudPerKwh < a.PriceAudPerKwh)
                    {
                        continue;
                    }

                    var bidLeft = b.EnergyKwh - trades.Where(t => t.BuyerId == b.AgentId).Sum(t => t.EnergyKwh);
                    var askLeft = a.EnergyKwh - trades.Where(t => t.SellerId == a.AgentId).Sum(t => t.EnergyKwh);
                    Assert.True(Math.Min(bidLeft, askLeft) < config.MinTradeKwh, $"{b} and {a} both have energy left");
                }
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void GreedyAverage_RandomBooks_AgreesWithPickTheBestPairReference()
    {
        Prop.ForAll(BookGenerators.Books(), generated =>
        {
            var book = generated.ToBook();
            var expected = ReferenceGreedy(book, Config("greedy-average").MinTradeKwh);
            Assert.Equal(expected, Greedy.Clear(book).Trades);
        }).QuickCheckThrowOnFailure();
    }

    /// <summary>
    /// Repeatedly scans every pair and fills the best one still open: largest b - a, then smallest buyer id,
    /// then smallest seller id. Quadratic per fill, independent of the mechanism's sort.
    /// </summary>
    private static List<Trade> ReferenceGreedy(OrderBook book, double minTradeKwh)
    {
        var bidLeft = book.Bids.ToDictionary(o => o.AgentId, o => o.EnergyKwh);
        var askLeft = book.Asks.ToDictionary(o => o.AgentId, o => o.EnergyKwh);
        var trades = new List<Trade>();
        while (true)
        {
            (Order Bid, Order Ask)? best = null;
            foreach (var b in book.Bids)
            {
                foreach (var a in book.Asks)
                {
                    var q = Math.Min(bidLeft[b.AgentId], askLeft[a.AgentId]);
                    if (b.PriceAudPerKwh < a.PriceAudPerKwh || q <= 0 || q < minTradeKwh)
                    {
                        continue;
                    }

                    if (best is null || Better(b, a, best.Value.Bid, best.Value.Ask))
                    {
                        best = (b, a);
                    }
                }
            }

            if (best is not { } pick)
            {
                break;
            }

            var fill = Math.Min(bidLeft[pick.Bid.AgentId], askLeft[pick.Ask.AgentId]);
            bidLeft[pick.Bid.AgentId] -= fill;
            askLeft[pick.Ask.AgentId] -= fill;
            trades.Add(new Trade(pick.Bid.AgentId, pick.Ask.AgentId, (pick.Bid.PriceAudPerKwh + pick.Ask.PriceAudPerKwh) / 2, fill));
        }

        trades.Sort((x, y) => string.CompareOrdinal(x.BuyerId + "\0" + x.SellerId, y.BuyerId + "\0" + y.SellerId));
        return trades;
    }

    private static bool Better(Order b, Order a, Order bestBid, Order bestAsk)
    {
        var spread = b.PriceAudPerKwh - a.PriceAudPerKwh;
        var bestSpread = bestBid.PriceAudPerKwh - bestAsk.PriceAudPerKwh;
        if (spread != bestSpread)
        {
            return spread > bestSpread;
        }

        var c = string.CompareOrdinal(b.AgentId, bestBid.AgentId);
        return c != 0 ? c < 0 : string.CompareOrdinal(a.AgentId, bestAsk.AgentId) < 0;
    }
}
