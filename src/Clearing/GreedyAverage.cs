using V2V.Market.Configuration;
using V2V.Market.Orders;

namespace V2V.Clearing;

/// <summary>
/// Greedy average (SPEC 4, baseline): every feasible pair (b_i &gt;= a_j) trades at the midpoint
/// (b_i + a_j) / 2, as in Nash bargaining; quantities are filled greedily, largest spread b - a first.
/// </summary>
/// <remarks>
/// Pairs with equal spread go by buyer id, then seller id (ordinal), so the result does not depend on the
/// order the orders arrived in. Each pair trades min(buyer's remaining, seller's remaining). A pair whose
/// fill would be below <see cref="ClearingConfig.MinTradeKwh"/> is skipped without using up either side, so
/// the remainder stays available to later pairs (it is not a trade). Orders with zero quantity form no pair.
/// Each pair is visited once, so no trade is merged. There is no certificate.
/// </remarks>
public sealed class GreedyAverage : IClearingMechanism
{
    private readonly double minTradeKwh;

    public GreedyAverage(ClearingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        this.minTradeKwh = config.MinTradeKwh;
    }

    public string Name => ClearingMechanisms.GreedyAverageName;

    public ClearingResult Clear(OrderBook book)
    {
        ArgumentNullException.ThrowIfNull(book);
        var bids = book.Bids;
        var asks = book.Asks;

        var pairs = new List<Pair>();
        for (var i = 0; i < bids.Count; i++)
        {
            if (bids[i].EnergyKwh <= 0)
            {
                continue;
            }

            for (var j = 0; j < asks.Count; j++)
            {
                if (asks[j].EnergyKwh > 0 && bids[i].PriceAudPerKwh >= asks[j].PriceAudPerKwh)
                {
                    pairs.Add(new Pair(i, j, bids[i].PriceAudPerKwh - asks[j].PriceAudPerKwh));
                }
            }
        }

        if (pairs.Count == 0)
        {
            return new ClearingResult([], null);
        }

        var pairArray = pairs.ToArray();
        Array.Sort(pairArray, new PairOrder(bids, asks));

        var bidLeft = new double[bids.Count];
        var askLeft = new double[asks.Count];
        for (var i = 0; i < bids.Count; i++)
        {
            bidLeft[i] = bids[i].EnergyKwh;
        }

        for (var j = 0; j < asks.Count; j++)
        {
            askLeft[j] = asks[j].EnergyKwh;
        }

        var fills = new List<Trade>();
        foreach (var pair in pairArray)
        {
            var q = Math.Min(bidLeft[pair.Bid], askLeft[pair.Ask]);
            if (q <= 0 || q < this.minTradeKwh)
            {
                continue;
            }

            bidLeft[pair.Bid] -= q;
            askLeft[pair.Ask] -= q;
            var bid = bids[pair.Bid];
            var ask = asks[pair.Ask];

            // SPEC 4: the pair price is the midpoint of bid and ask, as in Nash bargaining.
            var price = (bid.PriceAudPerKwh + ask.PriceAudPerKwh) / 2;
            fills.Add(new Trade(bid.AgentId, ask.AgentId, price, q));
        }

        return new ClearingResult(TradeList.Finish(fills, this.minTradeKwh), null);
    }

    private readonly record struct Pair(int Bid, int Ask, double Spread);

    /// <summary>Spread descending, then buyer id, then seller id (ordinal): a total order on pairs.</summary>
    private sealed class PairOrder(IReadOnlyList<Order> bids, IReadOnlyList<Order> asks) : IComparer<Pair>
    {
        public int Compare(Pair x, Pair y)
        {
            var c = y.Spread.CompareTo(x.Spread);
            if (c != 0)
            {
                return c;
            }

            c = string.CompareOrdinal(bids[x.Bid].AgentId, bids[y.Bid].AgentId);
            return c != 0 ? c : string.CompareOrdinal(asks[x.Ask].AgentId, asks[y.Ask].AgentId);
        }
    }
}
