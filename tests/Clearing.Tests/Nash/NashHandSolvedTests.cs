using V2V.Clearing;
using V2V.Market.Orders;
using static V2V.Clearing.Tests.Contract.ContractBooks;

namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// Nash bargaining (SPEC 4) on books small enough to solve by hand from the KKT conditions of
/// max sum_k log(eps + u_k): for every pair, g_ij (w_i + w_j) &lt;= alpha_i + beta_j with equality where
/// q_ij &gt; 0, where w_k = 1 / (eps + u_k) and alpha, beta &gt;= 0 are the buyer and seller capacity multipliers
/// (zero unless the capacity binds). The program is concave, so KKT is sufficient.
/// </summary>
public sealed class NashHandSolvedTests
{
    /// <summary>
    /// A solved optimum that is an interior point method's limit, not a vertex, is met to about the square
    /// root of the certified gap in the worst case; 1e-6 kWh is far tighter than that bound and far looser
    /// than any solver that converged.
    /// </summary>
    private const double QuantityToleranceKwh = 1e-6;

    private static readonly IClearingMechanism Nash = new NashBargaining(Config(ClearingMechanisms.NashName));

    [Fact]
    public void NashBargaining_OneSellerTwoIdenticalBuyers_SplitsSellersQuantityEqually()
    {
        // Every u_k grows with every q, so the seller's 3 kWh all go (the buyers could take 5). With
        // q1 + q2 = 3, log(eps + g q1) + log(eps + g q2) is symmetric and strictly concave: q1 = q2 = 1.5.
        var book = Book([Bid("b1", 0.24, 2.5), Bid("b2", 0.24, 2.5)], [Ask("s1", 0.16, 3)]);

        var trades = Nash.Clear(book).Trades;

        Assert.Equal(2, trades.Count);
        AssertTrade(trades[0], "b1", "s1", 1.5);
        AssertTrade(trades[1], "b2", "s1", 1.5);
        Assert.Equal(0.20, trades[0].PriceAudPerKwh, 15);
    }

    [Fact]
    public void NashBargaining_TwoByTwoBook_MatchesKktSolution()
    {
        // b = (0.26, 0.22), a = (0.14, 0.18), buyer Q = (2, 4), seller Q = (2, 4); every pair is feasible with
        // g_ij = (b_i - a_j)/2: g11 = 0.06, g12 = 0.04, g21 = 0.04, g22 = 0.02.
        // Guess: all four capacities bind (supply 6 = demand 6). With x = q11: q12 = 2 - x, q21 = 2 - x,
        // q22 = 2 + x, and
        //   u_b1 = 0.06x + 0.04(2 - x) = 0.08 + 0.02x     u_b2 = 0.04(2 - x) + 0.02(2 + x) = 0.12 - 0.02x
        //   u_s1 = 0.06x + 0.04(2 - x) = 0.08 + 0.02x     u_s2 = 0.04(2 - x) + 0.02(2 + x) = 0.12 - 0.02x
        // d/dx sum_k log(eps + u_k) = 2(0.02/(eps + 0.08 + 0.02x) - 0.02/(eps + 0.12 - 0.02x)) = 0 gives x = 1
        // whatever eps: q = (1, 1, 1, 3) and every u_k = 0.10, so every w_k = w = 1/(eps + 0.1).
        // Check KKT: all q > 0, so 2w g_ij = alpha_i + beta_j on all four pairs. As g_ij = b_i/2 - a_j/2,
        // alpha_i = w b_i - c, beta_j = c - w a_j solves them; c = 0.20w gives alpha = (0.06w, 0.02w) and
        // beta = (0.06w, 0.02w), all >= 0 (and > 0, consistent with every capacity binding). Optimal.
        // Unique quantities too: u = 0.1 everywhere leaves q = (t, 2.5 - 1.5t, 2.5 - 1.5t, 3t), and b1's
        // capacity (2.5 - 0.5t <= 2) and b2's (2.5 + 1.5t <= 4) leave only t = 1.
        var book = Book(
            [Bid("b1", 0.26, 2), Bid("b2", 0.22, 4)],
            [Ask("s1", 0.14, 2), Ask("s2", 0.18, 4)]);

        var result = Nash.Clear(book);

        Assert.Equal(4, result.Trades.Count);
        AssertTrade(result.Trades[0], "b1", "s1", 1);
        AssertTrade(result.Trades[1], "b1", "s2", 1);
        AssertTrade(result.Trades[2], "b2", "s1", 1);
        AssertTrade(result.Trades[3], "b2", "s2", 3);
        foreach (var (_, u) in BidUtilities.Of(book, result.Trades))
        {
            Assert.Equal(0.10, u, 1e-7);
        }

        Assert.NotNull(result.Certificate);
        Assert.Equal(4 * Math.Log(1e-3 + 0.10), result.Certificate.PrimalObjective, 1e-6);
    }

    [Fact]
    public void NashBargaining_SellerAndOneBuyerCapacityBind_OtherBuyerTakesTheRest()
    {
        // One seller (a = 0.16, 4 kWh); b1 = 0.26 wants 1 kWh (g1 = 0.05), b2 = 0.22 wants 5 (g2 = 0.03).
        // Every u grows with every q, so the seller sells all 4 kWh. Guess q1 = 1 (b1 binds), q2 = 3, so
        // u_b1 = 0.05, u_b2 = 0.09, u_s = 0.14. KKT: b2 is slack (alpha_b2 = 0), q2 > 0 gives
        // beta_s = g2 (w_b2 + w_s); q1 > 0 gives alpha_b1 = g1 (w_b1 + w_s) - g2 (w_b2 + w_s)
        // = 0.05 (19.61 + 7.09) - 0.03 (11.0 + 7.09) = 0.79 >= 0 at eps = 1e-3. Optimal.
        var book = Book(
            [Bid("b1", 0.26, 1), Bid("b2", 0.22, 5)],
            [Ask("s1", 0.16, 4)]);

        var trades = Nash.Clear(book).Trades;

        Assert.Equal(2, trades.Count);
        AssertTrade(trades[0], "b1", "s1", 1);
        AssertTrade(trades[1], "b2", "s1", 3);
    }

    [Fact]
    public void NashBargaining_BidEqualsAsk_FeasibleButTradesNothing()
    {
        // b == a is a feasible pair with zero gain: nothing to bargain over, but both count in the objective
        // with log(eps + 0).
        var book = new OrderBook([Bid("b1", 0.20, 3)], [Ask("s1", 0.20, 3)], 1e-3);

        var result = Nash.Clear(book);

        Assert.Empty(result.Trades);
        Assert.NotNull(result.Certificate);
        Assert.Equal(2 * Math.Log(1e-3), result.Certificate.PrimalObjective, 1e-12);
    }

    [Fact]
    public void NashBargaining_BidEqualsOneAskBeatsAnother_TradesOnlyWithPositiveGain()
    {
        // b1 = 0.20 meets s1 at 0.20 (zero gain) and s2 at 0.16 (g = 0.02, 2 kWh). Moving energy with s1 changes
        // no utility, so all that matters is q with s2, and log(eps + 0.02q) twice grows in q: q = 2.
        // Objective: b1 and s2 at u = 0.04, s1 (feasible partner, no trade) at log(eps).
        var book = new OrderBook([Bid("b1", 0.20, 3)], [Ask("s1", 0.20, 3), Ask("s2", 0.16, 2)], 1e-3);

        var result = Nash.Clear(book);

        Assert.Single(result.Trades);
        AssertTrade(result.Trades[0], "b1", "s2", 2);
        Assert.NotNull(result.Certificate);
        Assert.Equal(2 * Math.Log(1e-3 + 0.04) + Math.Log(1e-3), result.Certificate.PrimalObjective, 1e-6);
    }

    [Fact]
    public void NashBargaining_ShuffledBooksWithIdenticalAgents_BitIdenticalResults()
    {
        // Identical agents make the optimal quantities non-unique, the case where an order-dependent solver
        // would show it: copy a third of each side under new ids.
        for (var seed = 0; seed < 4; seed++)
        {
            var baseBook = V2V.Benchmarks.Clearing.BookGenerator.MostPairsFeasible(24, seed);
            var bids = baseBook.Bids.Concat(baseBook.Bids.Take(4).Select(o => o with { AgentId = o.AgentId + "x" })).ToArray();
            var asks = baseBook.Asks.Concat(baseBook.Asks.Take(4).Select(o => o with { AgentId = o.AgentId + "x" })).ToArray();
            var book = new OrderBook(bids, asks, baseBook.EpsilonAud);
            var expected = Nash.Clear(book);

            for (var shuffle = 1; shuffle <= 3; shuffle++)
            {
                var actual = Nash.Clear(Shuffled(book, 1000 * seed + shuffle));
                Assert.Equal(expected.Trades.Count, actual.Trades.Count);
                for (var k = 0; k < expected.Trades.Count; k++)
                {
                    Trade x = expected.Trades[k], y = actual.Trades[k];
                    Assert.Equal((x.BuyerId, x.SellerId), (y.BuyerId, y.SellerId));
                    Assert.Equal(BitConverter.DoubleToInt64Bits(x.EnergyKwh), BitConverter.DoubleToInt64Bits(y.EnergyKwh));
                    Assert.Equal(BitConverter.DoubleToInt64Bits(x.PriceAudPerKwh), BitConverter.DoubleToInt64Bits(y.PriceAudPerKwh));
                }

                Assert.Equal(expected.Certificate, actual.Certificate);
            }
        }
    }

    [Theory]
    [InlineData(1e-4)]
    [InlineData(1e-3)]
    [InlineData(1e-2)]
    [InlineData(0.05)]
    [InlineData(0.1)]
    [InlineData(1.0)]
    public void NashBargaining_Epsilon_MovesTheSplitAsTheStationarityConditionSays(double eps)
    {
        // One seller (a = 0.16, R = 4 kWh), b1 = 0.26 (g1 = 0.05) and b2 = 0.20 (g2 = 0.02), buyers slack (5 kWh).
        // The seller sells all R; with x = q1, f(x) = log(eps + g1 x) + log(eps + g2 (R - x))
        // + log(eps + g2 R + (g1 - g2) x), and
        //   f'(x) = g1/(eps + g1 x) - g2/(eps + g2 (R - x)) + (g1 - g2)/(eps + g2 R + (g1 - g2) x),
        // decreasing in x. Small eps is proportional fairness (near-equal log shares); large eps makes
        // log(eps + u) ~ u / eps, i.e. total surplus, which b1 earns best. The corner x = R is optimal iff
        // f'(R) >= 0: 0.05/(eps + 0.2) - 0.02/eps + 0.03/(eps + 0.2) >= 0, i.e. eps >= 1/15.
        const double g1 = 0.05, g2 = 0.02, r = 4;
        double Slope(double x) => g1 / (eps + g1 * x) - g2 / (eps + g2 * (r - x)) + (g1 - g2) / (eps + g2 * r + (g1 - g2) * x);
        var expected = Slope(r) >= 0 ? r : Bisect(Slope, 0, r);
        Assert.Equal(eps >= 1.0 / 15, expected == r);

        var book = new OrderBook([Bid("b1", 0.26, 5), Bid("b2", 0.20, 5)], [Ask("s1", 0.16, r)], eps);
        var trades = Nash.Clear(book).Trades;

        var toB1 = trades.Where(t => t.BuyerId == "b1").Sum(t => t.EnergyKwh);
        var toB2 = trades.Where(t => t.BuyerId == "b2").Sum(t => t.EnergyKwh);
        Assert.Equal(expected, toB1, QuantityToleranceKwh);
        Assert.Equal(r - expected, toB2, QuantityToleranceKwh);

        // And the direction: halving eps (fairer) never gives b1 more.
        var smallerEps = eps / 2;
        double SlopeSmaller(double x) => g1 / (smallerEps + g1 * x) - g2 / (smallerEps + g2 * (r - x)) + (g1 - g2) / (smallerEps + g2 * r + (g1 - g2) * x);
        var atSmaller = SlopeSmaller(r) >= 0 ? r : Bisect(SlopeSmaller, 0, r);
        var fairer = Nash.Clear(new OrderBook(book.Bids, book.Asks, smallerEps)).Trades
            .Where(t => t.BuyerId == "b1").Sum(t => t.EnergyKwh);
        Assert.Equal(atSmaller, fairer, QuantityToleranceKwh);
        Assert.True(atSmaller <= expected);
    }

    private static double Bisect(Func<double, double> decreasing, double low, double high)
    {
        for (var k = 0; k < 200; k++)
        {
            var mid = 0.5 * (low + high);
            (low, high) = decreasing(mid) > 0 ? (mid, high) : (low, mid);
        }

        return 0.5 * (low + high);
    }

    private static void AssertTrade(Trade trade, string buyer, string seller, double energyKwh)
    {
        Assert.Equal(buyer, trade.BuyerId);
        Assert.Equal(seller, trade.SellerId);
        Assert.Equal(energyKwh, trade.EnergyKwh, QuantityToleranceKwh);
    }
}
