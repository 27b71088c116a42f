using V2V.Clearing.Nash;
using V2V.Market.Orders;

namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// What the certificate does with a solver iterate that holds a trade below the minimum (SPEC 4 drops it): the
/// capacity that trade held is given back along the remaining trades, so no participant whose capacity was full is
/// left short. Hand-built iterates on a 2 x 2 book, checked against hand-computed quantities.
/// </summary>
public sealed class CertificateEvaluatorTests
{
    private const double MinTrade = 1e-6;
    private const double Delta = 5e-7;

    // b0 0.5 kWh, b1 1 kWh, s0 1 kWh, s1 0.5 kWh; every pair feasible, all prices distinct.
    private static readonly OrderBook Book = new(
        [new Order("b0", 0.28, 0.5), new Order("b1", 0.26, 1.0)],
        [new Order("s0", 0.15, 1.0), new Order("s1", 0.17, 0.5)],
        1e-3);

    [Fact]
    public void Evaluate_DroppedTradeBetweenFullParticipants_IsReroutedAlongThePathSoEveryCapacityIsFullAgain()
    {
        // Every capacity is full; (b0, s1) holds Delta < MinTrade. Dropping it leaves b0 and s1 Delta short, and
        // their other trades end at s0 and b1, which are full, so only the path b0-s0-b1-s1 can give it back:
        // q00 + Delta, q10 - Delta, q11 + Delta.
        var (evaluator, problem) = Evaluate(q00: 0.5 - Delta, q01: Delta, q10: 0.5 + Delta, q11: 0.5 - Delta);

        var q = evaluator.Best;
        Assert.Equal(0.5, q[0], 1e-15);
        Assert.Equal(0.0, q[1]);
        Assert.Equal(0.5, q[2], 1e-15);
        Assert.Equal(0.5, q[3], 1e-15);
        AssertFeasible(q, problem);
    }

    [Fact]
    public void Evaluate_FreedCapacityNoTradeCanCarry_IsGivenBackOnlyWhereItFitsAndNoPairStartsTrading()
    {
        // (b1, s1) holds Delta and is s1's only trade: s1's Delta cannot come back (no remaining trade reaches it)
        // and b1's only with s0, which is Delta short already. Reroute moves the part the trades b0-s0-b1 can
        // carry, f minus its (+1, +1, -1) component, (-Delta/3, 2 Delta/3, Delta/3) on (b0, b1, s0): q00 - Delta/3,
        // q10 + 2 Delta/3; Fill then tops up (b0, s0) and (b1, s0) by Delta/3 each: q00 = q10 = 0.5, s0 full.
        var (evaluator, problem) = Evaluate(q00: 0.5, q01: 0, q10: 0.5 - Delta, q11: Delta);

        var q = evaluator.Best;
        Assert.Equal(0.5, q[0], 1e-15);
        Assert.Equal(0.0, q[1]);
        Assert.Equal(0.5, q[2], 1e-15);
        Assert.Equal(0.0, q[3]);
        AssertFeasible(q, problem);
    }

    [Fact]
    public void Evaluate_ReroutedIterate_CertifiesAtLeastAsWellAsTheIterateWithTheTradeDropped()
    {
        // The same iterate with the sub-minimum trade already removed (and its Delta simply lost) is a worse primal point.
        var (rerouted, _) = Evaluate(q00: 0.5 - Delta, q01: Delta, q10: 0.5 + Delta, q11: 0.5 - Delta);
        var (lost, _) = Evaluate(q00: 0.5 - Delta, q01: 0, q10: 0.5 + Delta, q11: 0.5 - Delta);

        Assert.True(
            rerouted.BestCertificate.PrimalObjective > lost.BestCertificate.PrimalObjective,
            $"{rerouted.BestCertificate.PrimalObjective} vs {lost.BestCertificate.PrimalObjective}");
    }

    [Fact]
    public void Evaluate_MultipliersFarAboveWhatThePairsNeed_AreLoweredToTheLeastFeasibleOnes()
    {
        // Every capacity full (no trade to drop or top up) and every scaled multiplier 1e3, so no pair needs a raise.
        // Lowering the buyers first against those sellers takes them to 0; each seller then needs exactly the
        // largest g (mu_b + mu_s) over its buyers. Hand-computed gains (b - a) / 2: 0.065, 0.055 / 0.055, 0.045.
        var (evaluator, _) = Evaluate(q00: 0.5, q01: 0, q10: 0.5, q11: 0.5, multiplier: 1e3);

        double[,] g = { { 0.065, 0.055 }, { 0.055, 0.045 } };
        var u = new[] { 0.065 * 0.5, 0.055 * 0.5 + 0.045 * 0.5, 0.065 * 0.5 + 0.055 * 0.5, 0.045 * 0.5 };
        var mu = u.Select(x => 1 / (1e-3 + x)).ToArray();
        var lambdaS0 = Math.Max(g[0, 0] * (mu[0] + mu[2]), g[1, 0] * (mu[1] + mu[2]));
        var lambdaS1 = Math.Max(g[0, 1] * (mu[0] + mu[3]), g[1, 1] * (mu[1] + mu[3]));
        var gap = (lambdaS0 * 1.0) + (lambdaS1 * 0.5) - mu.Zip(u, (m, x) => m * x).Sum();

        var cert = evaluator.BestCertificate;
        Assert.Equal(u.Sum(x => Math.Log(1e-3 + x)), cert.PrimalObjective, 1e-12);
        Assert.Equal(gap, cert.DualityGap, 1e-12);
    }

    [Fact]
    public void RoundUp_TradeBelowMinimumBetweenFullParticipants_TakesTheDifferenceFromTheirOtherTrades()
    {
        // The iterate of the first test: (b0, s1) holds Delta, every capacity full. Raised to MinTrade, it takes
        // MinTrade - Delta from b0's other trade (b0, s0) and from s1's other trade (b1, s1).
        double[] q = [0.5 - Delta, Delta, 0.5 + Delta, 0.5 - Delta];
        double[] capacity = [0.5, 1.0, 1.0, 0.5];

        var any = MinimumTradeRounding.RoundUp(q, 2, 2, k => capacity[k], MinTrade, new double[4]);

        Assert.True(any);
        Assert.Equal(0.5 - MinTrade, q[0], 1e-15);
        Assert.Equal(MinTrade, q[1]);
        Assert.Equal(0.5 + Delta, q[2], 1e-15);
        Assert.Equal(0.5 - MinTrade, q[3], 1e-15);
    }

    [Fact]
    public void Evaluate_TradeBelowMinimum_KeepsTheBetterOfDroppingAndRaisingIt()
    {
        var (dropped, problem) = Evaluate(q00: 0.5 - Delta, q01: Delta, q10: 0.5 + Delta, q11: 0.5 - Delta);
        var (both, _) = Evaluate(q00: 0.5 - Delta, q01: Delta, q10: 0.5 + Delta, q11: 0.5 - Delta, roundUp: true);

        Assert.True(both.BestCertificate.DualityGap <= dropped.BestCertificate.DualityGap);
        Assert.True(both.Best[1] is 0 or MinTrade, $"q01 {both.Best[1]}");
        AssertFeasible(both.Best, problem);
    }

    private static (CertificateEvaluator Evaluator, NashProblem Problem) Evaluate(
        double q00, double q01, double q10, double q11, double multiplier = 0, bool roundUp = false)
    {
        var problem = NashProblem.Build(Book, MinTrade);
        var kwh = new[,] { { q00, q01 }, { q10, q11 } };
        var scaled = new double[problem.OuterCount * problem.InnerCount];
        for (var o = 0; o < problem.OuterCount; o++)
        {
            for (var i = 0; i < problem.InnerCount; i++)
            {
                var (b, s) = problem.BuyerSeller(o, i);
                scaled[o * problem.InnerCount + i] = kwh[b, s] / problem.QuantityScale;
            }
        }

        var evaluator = new CertificateEvaluator(problem, MinTrade, roundUp);
        var y = Enumerable.Repeat(multiplier, problem.ParticipantCount).ToArray();
        evaluator.Evaluate(scaled, y, 1);
        return (evaluator, problem);
    }

    private static void AssertFeasible(double[] q, NashProblem problem)
    {
        Assert.All(q, x => Assert.True(x == 0 || x >= MinTrade, $"trade {x}"));
        Assert.True(q[0] + q[1] <= problem.CapacityOfSorted(0));
        Assert.True(q[2] + q[3] <= problem.CapacityOfSorted(1));
        Assert.True(q[0] + q[2] <= problem.CapacityOfSorted(2));
        Assert.True(q[1] + q[3] <= problem.CapacityOfSorted(3));
    }
}
