using V2V.Clearing;
using V2V.Clearing.Tests.Contract;
using V2V.Market.Configuration;
using V2V.Market.Orders;

namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// What every Nash clearing must satisfy, checked from the book and the trades alone: finite numbers, capacities
/// kept, each trade at its pair's midpoint inside [ask, bid] (so individually rational on the bids), and the
/// relative gap to the test's own dual bound (<see cref="NashDualBound"/>, a transportation LP) within the configured
/// gap whenever the certificate says it is certified, and never above the certificate's gap.
/// </summary>
internal static class NashBookChecks
{
    // Rounding allowed on top of a gap: both bounds sum ~N logs of order 1..10.
    private const double RoundingSlack = 1e-12;

    /// <summary>Returns the independent relative gap (bound - objective) / max(1, |objective|).</summary>
    public static double AssertSound(OrderBook book, ClearingResult result, ClearingConfig config)
    {
        // Finite trades above the minimum, prices in [ask, bid], capacities kept: the contract's invariants.
        ClearingInvariants.AssertHold(book, result, config);
        var instance = new NashInstance(book, config.MinTradeKwh);
        var quantity = instance.QuantitiesOf(result.Trades);
        // The solver keeps every capacity exactly in its own summation order; ours may differ by rounding.
        var overrunSlack = 1e-15 * instance.Capacity.Max();
        Assert.True(instance.MaxOverrun(quantity) <= overrunSlack, $"capacity exceeded by {instance.MaxOverrun(quantity):E2} kWh");
        var utility = instance.UtilitiesOfQuantities(quantity);
        Assert.All(utility, u => Assert.True(double.IsFinite(u) && u >= 0, $"utility {u}"));
        var objective = instance.Objective(utility);
        Assert.True(double.IsFinite(objective), $"objective {objective}");

        var c = result.Certificate!;
        Assert.True(double.IsFinite(c.PrimalObjective) && double.IsFinite(c.DualObjective) && double.IsFinite(c.RelativeGap), $"certificate {c}");
        Assert.Equal(objective, c.PrimalObjective, 1e-9 * Math.Max(1, Math.Abs(objective)));
        var independent = instance.Edges.Length == 0 ? 0 : (NashDualBound.At(instance, utility) - objective) / Math.Max(1, Math.Abs(objective));
        if (c.Method == ClearingMethod.MinimumTradeBranch)
        {
            // A bound of the minimum trade's optimum, which lies below the continuous program's (ours): the certificate's
            // gap may be below ours, but its bound never below the quantities returned, which keep the rule
            // (MinimumTradeBranchingTests checks the bound against an optimum found by enumeration).
            Assert.True(c.DualObjective >= objective - (RoundingSlack * Math.Max(1, Math.Abs(objective))), $"bound {c.DualObjective:R} below the returned objective {objective:R}");
            return independent;
        }

        Assert.True(independent <= c.RelativeGap + RoundingSlack, $"independent gap {independent:E2} above the certificate's {c.RelativeGap:E2}");
        if (c.Certified)
        {
            Assert.True(independent <= config.SolverRelativeGap + RoundingSlack, $"certified, yet the independent gap is {independent:E2}");
        }

        return independent;
    }
}
