using V2V.Clearing;
using V2V.Market.Configuration;
using V2V.Market.Orders;
using static V2V.Clearing.Tests.Contract.ContractBooks;

namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// The minimum trade's branch and bound (<c>MinimumTradeBranching</c>) against an optimum found here by enumeration and
/// line search, on a book of issue 17's residue family whose continuous optimum trades below the minimum.
/// </summary>
public sealed class MinimumTradeBranchingTests
{
    private const double MinimumKwh = 1e-6;
    private const double EpsilonAud = 1e-3;
    private const double SellerKwh = 5.5;
    private static readonly Order B0 = new("b0", 0.22491485928387883, 5.499999640063408);
    private static readonly Order B1 = new("b1", 0.22484157139759617, 5.499993488260777);
    private static readonly Order S0 = new("s0", 0.22475580511740054, SellerKwh);
    private static readonly ClearingConfig Spec = Config(ClearingMechanisms.NashName) with { SolverMaxIterations = 200 };

    [Fact]
    public void NashBargaining_ContinuousOptimumTradesBelowTheMinimum_CertifiesTheRuleOptimumByBranching()
    {
        var book = new OrderBook([B0, B1], [S0], EpsilonAud);
        var optimum = RuleOptimum();
        var continuous = new NashBargaining(Spec with { MinTradeKwh = 0 }).Clear(book).Certificate!;
        // The premise: the continuous program's bound is more than the target above the rule's optimum.
        Assert.True((continuous.PrimalObjective - optimum) / Math.Abs(optimum) > Spec.SolverRelativeGap, $"{continuous} vs {optimum:R}");

        var result = new NashBargaining(Spec).Clear(book);
        var c = result.Certificate!;

        Assert.Equal(ClearingMethod.MinimumTradeBranch, c.Method);
        Assert.True(c.Certified, $"{c}");
        var slack = 1e-12 * Math.Abs(optimum);
        Assert.True(c.DualObjective >= optimum - slack, $"bound {c.DualObjective:R} below the rule's optimum {optimum:R}");
        Assert.True(c.PrimalObjective <= optimum + slack, $"objective {c.PrimalObjective:R} above the rule's optimum {optimum:R}");
        Assert.True((optimum - c.PrimalObjective) / Math.Abs(optimum) <= Spec.SolverRelativeGap, $"{c} vs {optimum:R}");
        Assert.All(result.Trades, t => Assert.True(t.EnergyKwh >= MinimumKwh, $"{t}"));
        Assert.Equal("interior-point+min-trade-branch", ClearingMethodNames.Of(c.Method));
    }

    // Gains are positive on both pairs and the buyers hold more than the seller, so more trade is better until the seller
    // is sold out: b1's trade x is 0 (b0 takes its capacity) or in [m, ...] with b0 taking the rest, or b0 does not trade.
    // On [m, 5.5 - m] the objective is concave in x, so a golden-section search finds its maximum.
    private static double RuleOptimum()
    {
        double g0 = (B0.PriceAudPerKwh - S0.PriceAudPerKwh) / 2, g1 = (B1.PriceAudPerKwh - S0.PriceAudPerKwh) / 2;
        double Objective(double q0, double x) =>
            Math.Log(EpsilonAud + (g0 * q0)) + Math.Log(EpsilonAud + (g1 * x)) + Math.Log(EpsilonAud + (g0 * q0) + (g1 * x));
        double Along(double x) => Objective(Math.Min(B0.EnergyKwh, SellerKwh - x), x);

        double low = MinimumKwh, high = SellerKwh - MinimumKwh;
        var ratio = (Math.Sqrt(5) - 1) / 2;
        for (var k = 0; k < 200; k++)
        {
            double a = high - (ratio * (high - low)), b = low + (ratio * (high - low));
            (low, high) = Along(a) < Along(b) ? (a, high) : (low, b);
        }

        var best = Math.Max(Along(low), Along(MinimumKwh));
        best = Math.Max(best, Objective(B0.EnergyKwh, 0));
        return Math.Max(best, Objective(0, Math.Min(B1.EnergyKwh, SellerKwh)));
    }
}
