using V2V.Market.Orders;

namespace V2V.Clearing.Nash.LargeBooks;

/// <summary>
/// A large book as <see cref="ColumnGeneration"/> sees it: participants sorted by id (so the result does not depend on
/// the order of the book), prices and capacities in flat arrays, and no per-pair array at all: a pass over every pair
/// recomputes each gain from the two prices, so memory grows with the participants and the working set only.
/// </summary>
/// <remarks>
/// The same program as <see cref="NashProblem"/> (SPEC 4): a pair is in the program when its gain is positive and both
/// orders are tradable (at least the minimum trade); a participant is in the objective when some partner's price meets
/// its own. The scaling is NashProblem's too (largest gain and largest active capacity 1), for the restricted solves.
/// </remarks>
internal sealed class LargeBook
{
    private LargeBook(Order[] buyers, Order[] sellers, double epsilon)
    {
        Buyers = buyers;
        Sellers = sellers;
        Epsilon = epsilon;
        var nb = buyers.Length;
        var ns = sellers.Length;
        Bid = new double[nb];
        Ask = new double[ns];
        Capacity = new double[nb + ns];
        InObjective = new bool[nb + ns];
    }

    /// <summary>Bids sorted by id.</summary>
    public Order[] Buyers { get; }

    /// <summary>Asks sorted by id.</summary>
    public Order[] Sellers { get; }

    public double Epsilon { get; }

    /// <summary>A tradable buyer's bid, -infinity for a buyer below the minimum trade (none of its pairs is in the program).</summary>
    public double[] Bid { get; }

    /// <summary>A tradable seller's ask, +infinity for a seller below the minimum trade.</summary>
    public double[] Ask { get; }

    /// <summary>Quantities (kWh), buyers then sellers.</summary>
    public double[] Capacity { get; }

    /// <summary>Participant k (buyers, then sellers) has a feasible partner, so log(eps + u_k) is in the objective.</summary>
    public bool[] InObjective { get; }

    /// <summary>Largest gain of a pair in the program (AUD/kWh); 0 when none is.</summary>
    public double GainScale { get; private set; }

    /// <summary>Largest capacity (kWh) of a participant with a pair in the program.</summary>
    public double QuantityScale { get; private set; } = 1;

    public int BuyerCount => Buyers.Length;

    public int SellerCount => Sellers.Length;

    /// <summary>Pairs of the book, feasible or not.</summary>
    public long PairCount => (long)Buyers.Length * Sellers.Length;

    /// <summary>SPEC 4's gain of buyer b and seller s if the pair is in the program, else 0.</summary>
    public double Gain(int b, int s) => Bid[b] > Ask[s] ? (Bid[b] - Ask[s]) * 0.5 : 0;

    public static LargeBook Build(OrderBook book, double minTradeKwh)
    {
        var p = new LargeBook(NashProblem.Sorted(book.Bids), NashProblem.Sorted(book.Asks), book.EpsilonAud);
        int nb = p.BuyerCount, ns = p.SellerCount;
        double highestBid = double.NegativeInfinity, lowestAsk = double.PositiveInfinity;
        double highestTradableBid = double.NegativeInfinity, lowestTradableAsk = double.PositiveInfinity;
        for (var b = 0; b < nb; b++)
        {
            var order = p.Buyers[b];
            p.Capacity[b] = order.EnergyKwh;
            var tradable = order.EnergyKwh > 0 && order.EnergyKwh >= minTradeKwh;
            p.Bid[b] = tradable ? order.PriceAudPerKwh : double.NegativeInfinity;
            highestBid = Math.Max(highestBid, order.PriceAudPerKwh);
            highestTradableBid = Math.Max(highestTradableBid, p.Bid[b]);
        }

        for (var s = 0; s < ns; s++)
        {
            var order = p.Sellers[s];
            p.Capacity[nb + s] = order.EnergyKwh;
            var tradable = order.EnergyKwh > 0 && order.EnergyKwh >= minTradeKwh;
            p.Ask[s] = tradable ? order.PriceAudPerKwh : double.PositiveInfinity;
            lowestAsk = Math.Min(lowestAsk, order.PriceAudPerKwh);
            lowestTradableAsk = Math.Min(lowestTradableAsk, p.Ask[s]);
        }

        // A buyer meets some ask iff its bid is at least the lowest; a seller likewise against the highest bid.
        for (var b = 0; b < nb; b++)
        {
            p.InObjective[b] = p.Buyers[b].PriceAudPerKwh >= lowestAsk;
        }

        for (var s = 0; s < ns; s++)
        {
            p.InObjective[nb + s] = p.Sellers[s].PriceAudPerKwh <= highestBid;
        }

        if (highestTradableBid > lowestTradableAsk)
        {
            p.GainScale = (highestTradableBid - lowestTradableAsk) * 0.5;
            double maxCap = 0;
            for (var k = 0; k < nb + ns; k++)
            {
                if (p.IsActive(k, highestTradableBid, lowestTradableAsk))
                {
                    maxCap = Math.Max(maxCap, p.Capacity[k]);
                }
            }

            p.QuantityScale = maxCap;
        }

        return p;
    }

    /// <summary>Epsilon in the scaled units of the restricted solves.</summary>
    public double ScaledEpsilon => Epsilon / (GainScale * QuantityScale);

    // Participant k has a pair in the program: a tradable buyer above the lowest tradable ask, or the converse.
    private bool IsActive(int k, double highestTradableBid, double lowestTradableAsk) =>
        k < BuyerCount ? Bid[k] > lowestTradableAsk : Ask[k - BuyerCount] < highestTradableBid;
}
