using V2V.Clearing;
using V2V.Market.Configuration;
using V2V.Market.Orders;

namespace V2V.Clearing.Tests.Contract;

/// <summary>
/// The invariants every clearing mechanism keeps on every book (SPEC 4 and the <see cref="ClearingResult"/>
/// contract), checked against the book itself rather than against any one mechanism's internals.
/// </summary>
internal static class ClearingInvariants
{
    /// <summary>Feasibility slack: a participant may be over its quantity by rounding only.</summary>
    public const double QuantityToleranceKwh = 1e-9;

    public static void AssertHold(OrderBook book, ClearingResult result, ClearingConfig config)
    {
        Assert.NotNull(result);
        Assert.NotNull(result.Trades);
        var bids = ById(book.Bids);
        var asks = ById(book.Asks);
        var bought = new Dictionary<string, double>(StringComparer.Ordinal);
        var sold = new Dictionary<string, double>(StringComparer.Ordinal);
        double energyBought = 0, energySold = 0, paid = 0, received = 0;

        for (var k = 0; k < result.Trades.Count; k++)
        {
            var t = result.Trades[k];
            Assert.True(bids.TryGetValue(t.BuyerId, out var bid), $"trade {k}: unknown buyer '{t.BuyerId}'");
            Assert.True(asks.TryGetValue(t.SellerId, out var ask), $"trade {k}: unknown seller '{t.SellerId}'");
            Assert.NotEqual(t.BuyerId, t.SellerId);
            Assert.True(double.IsFinite(t.EnergyKwh) && double.IsFinite(t.PriceAudPerKwh), $"trade {k}: {t}");
            Assert.True(t.EnergyKwh > 0 && t.EnergyKwh >= config.MinTradeKwh, $"trade {k} below the minimum: {t}");

            // SPEC 4: individually rational on the bids, so the price lies in [ask, bid].
            Assert.True(t.PriceAudPerKwh <= bid!.PriceAudPerKwh, $"trade {k} above the bid {bid.PriceAudPerKwh}: {t}");
            Assert.True(t.PriceAudPerKwh >= ask!.PriceAudPerKwh, $"trade {k} below the ask {ask.PriceAudPerKwh}: {t}");

            if (k > 0)
            {
                var prev = result.Trades[k - 1];
                var c = string.CompareOrdinal(prev.BuyerId, t.BuyerId);
                c = c != 0 ? c : string.CompareOrdinal(prev.SellerId, t.SellerId);
                Assert.True(c < 0, $"trades {k - 1} and {k} not strictly sorted by (buyer, seller): {prev} then {t}");
            }

            bought[t.BuyerId] = bought.GetValueOrDefault(t.BuyerId) + t.EnergyKwh;
            sold[t.SellerId] = sold.GetValueOrDefault(t.SellerId) + t.EnergyKwh;
            energyBought += t.EnergyKwh;
            energySold += t.EnergyKwh;
            paid += t.PaymentAud;
            received += t.PriceAudPerKwh * t.EnergyKwh;
        }

        foreach (var (id, q) in bought)
        {
            Assert.True(q <= bids[id].EnergyKwh + QuantityToleranceKwh, $"buyer {id} bought {q} > {bids[id].EnergyKwh}");
        }

        foreach (var (id, q) in sold)
        {
            Assert.True(q <= asks[id].EnergyKwh + QuantityToleranceKwh, $"seller {id} sold {q} > {asks[id].EnergyKwh}");
        }

        // SPEC 5: energy and money are conserved, so the per-side totals agree.
        Assert.Equal(SumValues(bought), SumValues(sold), QuantityToleranceKwh);
        Assert.Equal(energyBought, energySold, 12);
        Assert.Equal(paid, received, 12);
    }

    public static bool HasFeasiblePair(OrderBook book)
    {
        foreach (var b in book.Bids)
        {
            foreach (var a in book.Asks)
            {
                if (b.EnergyKwh > 0 && a.EnergyKwh > 0 && b.PriceAudPerKwh >= a.PriceAudPerKwh)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static Dictionary<string, Order> ById(IReadOnlyList<Order> orders)
    {
        var map = new Dictionary<string, Order>(StringComparer.Ordinal);
        foreach (var o in orders)
        {
            map.Add(o.AgentId, o);
        }

        return map;
    }

    private static double SumValues(Dictionary<string, double> map)
    {
        double sum = 0;
        foreach (var v in map.Values)
        {
            sum += v;
        }

        return sum;
    }
}
