using V2V.Market.Orders;

namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// The SPEC 4 Nash program of one book, written out independently of the mechanism under test: participant
/// k is buyer k (k &lt; Buyers) or seller k - Buyers, in the book's own order; pair (i, j) is feasible when
/// b_i &gt;= a_j, with gain g_ij = (b_i - a_j) / 2; the objective is sum over participants with a feasible
/// partner of log(eps + u_k).
/// </summary>
internal sealed class NashInstance
{
    /// <param name="minTradeKwh">
    /// SPEC 4 drops trades below this, so an order smaller than it cannot trade: its pairs are not variables.
    /// </param>
    public NashInstance(OrderBook book, double minTradeKwh = 0)
    {
        Book = book;
        Buyers = book.Bids.Count;
        Sellers = book.Asks.Count;
        Epsilon = book.EpsilonAud;
        Capacity = new double[Buyers + Sellers];
        InObjective = new bool[Buyers + Sellers];
        Gain = new double[Buyers * Sellers];
        for (var i = 0; i < Buyers; i++)
        {
            Capacity[i] = book.Bids[i].EnergyKwh;
        }

        for (var j = 0; j < Sellers; j++)
        {
            Capacity[Buyers + j] = book.Asks[j].EnergyKwh;
        }

        var edges = new List<int>();
        for (var i = 0; i < Buyers; i++)
        {
            for (var j = 0; j < Sellers; j++)
            {
                double b = book.Bids[i].PriceAudPerKwh, a = book.Asks[j].PriceAudPerKwh;
                var feasible = b >= a;
                Gain[i * Sellers + j] = feasible ? (b - a) / 2 : -1;
                InObjective[i] |= feasible;
                InObjective[Buyers + j] |= feasible;

                // Only pairs that can move a positive utility are variables: g > 0 and both capacities > 0 and at
                // least the minimum trade.
                if (feasible && b > a && Tradable(Capacity[i], minTradeKwh) && Tradable(Capacity[Buyers + j], minTradeKwh))
                {
                    edges.Add(i * Sellers + j);
                }
            }
        }

        Edges = [.. edges];
    }

    public OrderBook Book { get; }

    private static bool Tradable(double quantity, double minTradeKwh) => quantity > 0 && quantity >= minTradeKwh;

    public int Buyers { get; }

    public int Sellers { get; }

    public int Participants => Buyers + Sellers;

    public double Epsilon { get; }

    /// <summary>Q_k: buyers first, then sellers.</summary>
    public double[] Capacity { get; }

    public bool[] InObjective { get; }

    /// <summary>g_ij at [i * Sellers + j]; -1 for an infeasible pair.</summary>
    public double[] Gain { get; }

    /// <summary>Pair indices i * Sellers + j of the variables: positive gain, positive capacities.</summary>
    public int[] Edges { get; }

    public int BuyerOf(int pair) => pair / Sellers;

    public int SellerOf(int pair) => Buyers + pair % Sellers;

    /// <summary>SPEC 4 objective at utilities u (indexed like <see cref="Capacity"/>).</summary>
    public double Objective(double[] utility)
    {
        var sum = 0.0;
        for (var k = 0; k < Participants; k++)
        {
            if (InObjective[k])
            {
                sum += Math.Log(Epsilon + utility[k]);
            }
        }

        return sum;
    }

    /// <summary>u_k from quantities q at [i * Sellers + j].</summary>
    public double[] UtilitiesOfQuantities(double[] quantity)
    {
        var u = new double[Participants];
        for (var p = 0; p < quantity.Length; p++)
        {
            if (quantity[p] > 0)
            {
                var gq = Gain[p] * quantity[p];
                u[BuyerOf(p)] += gq;
                u[SellerOf(p)] += gq;
            }
        }

        return u;
    }

    /// <summary>
    /// Quantities at [i * Sellers + j] from a mechanism's trades, checking on the way that every trade is
    /// between a known feasible pair at the SPEC 4 midpoint price.
    /// </summary>
    public double[] QuantitiesOf(IReadOnlyList<Trade> trades)
    {
        var buyerIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var sellerIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Buyers; i++)
        {
            buyerIndex.Add(Book.Bids[i].AgentId, i);
        }

        for (var j = 0; j < Sellers; j++)
        {
            sellerIndex.Add(Book.Asks[j].AgentId, j);
        }

        var q = new double[Buyers * Sellers];
        foreach (var t in trades)
        {
            int i = buyerIndex[t.BuyerId], j = sellerIndex[t.SellerId];
            var p = i * Sellers + j;
            Assert.True(Gain[p] >= 0, $"trade {t} between an infeasible pair");
            Assert.Equal((Book.Bids[i].PriceAudPerKwh + Book.Asks[j].PriceAudPerKwh) / 2, t.PriceAudPerKwh);
            q[p] += t.EnergyKwh;
        }

        return q;
    }

    /// <summary>Largest capacity overrun of q (kWh); &lt;= 0 when q is feasible.</summary>
    public double MaxOverrun(double[] quantity)
    {
        var load = new double[Participants];
        for (var p = 0; p < quantity.Length; p++)
        {
            load[BuyerOf(p)] += quantity[p];
            load[SellerOf(p)] += quantity[p];
        }

        var worst = double.NegativeInfinity;
        for (var k = 0; k < Participants; k++)
        {
            worst = Math.Max(worst, load[k] - Capacity[k]);
        }

        return worst;
    }
}
