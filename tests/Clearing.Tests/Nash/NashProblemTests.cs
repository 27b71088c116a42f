using V2V.Clearing.Nash;
using V2V.Market.Orders;

namespace V2V.Clearing.Tests.Nash;

/// <summary>The solver's scaled view of a book maps back to SPEC 4's objective in original units.</summary>
public sealed class NashProblemTests
{
    [Fact]
    public void Objective_ScaledUtilities_EqualsSumOfLogsInOriginalUnitsIncludingIdleParticipants()
    {
        // b0 0.30 x 2 kWh, b1 0.10 x 1 kWh (meets no ask: not in the objective), b2 0.20 x 4 kWh, s0 0.14 x 3 kWh,
        // s1 0.18 x 0.5 kWh. Feasible pairs: (b0, s0) g = 0.08, (b0, s1) g = 0.06, (b2, s0) g = 0.03, (b2, s1) g = 0.01.
        // A seller s2 at 0.25 meets b0 only, with 0 kWh: in the objective (a feasible pair) but not tradable.
        var book = new OrderBook(
            [new Order("b0", 0.30, 2), new Order("b1", 0.10, 1), new Order("b2", 0.20, 4)],
            [new Order("s0", 0.14, 3), new Order("s1", 0.18, 0.5), new Order("s2", 0.25, 0)],
            1e-3);
        var problem = NashProblem.Build(book, 1e-6);

        // Trades in kWh: (b0, s0) 1, (b0, s1) 0.5, (b2, s0) 2, (b2, s1) 0.
        var kwh = new Dictionary<(string, string), double> { [("b0", "s0")] = 1, [("b0", "s1")] = 0.5, [("b2", "s0")] = 2 };
        var u = new double[problem.ParticipantCount];
        for (var o = 0; o < problem.OuterCount; o++)
        {
            for (var i = 0; i < problem.InnerCount; i++)
            {
                var (b, s) = problem.BuyerSeller(o, i);
                var q = kwh.GetValueOrDefault((problem.Buyers[b].AgentId, problem.Sellers[s].AgentId)) / problem.QuantityScale;
                var gq = problem.Gain[(o * problem.InnerCount) + i] * q;
                u[o] += gq;
                u[problem.OuterCount + i] += gq;
            }
        }

        var pi = u.Select(x => 1 / (problem.ScaledEpsilon + x)).ToArray();

        // Utilities (AUD): b0 0.08 x 1 + 0.06 x 0.5 = 0.11, b2 0.03 x 2 = 0.06, s0 0.08 x 1 + 0.03 x 2 = 0.14, s1 0.06 x 0.5
        // = 0.03; s2 idle at log(eps).
        var expected = Math.Log(1e-3 + 0.11) + Math.Log(1e-3 + 0.06) + Math.Log(1e-3 + 0.14) + Math.Log(1e-3 + 0.03) + Math.Log(1e-3);
        Assert.Equal(expected, problem.Objective(pi), 12);
    }

    [Fact]
    public void TradableGain_IsThePairGainOnlyWhereThePairIsInTheProgram()
    {
        // b0 0.30 x 2, b1 0.10 x 1, b2 0.20 x 4e-7 (below the 1e-6 minimum); s0 0.14 x 3, s1 0.30 x 1 (b == a with b0),
        // s2 0.25 x 0. Sorted rows b0, b1, b2; columns s0, s1, s2.
        var book = new OrderBook(
            [new Order("b0", 0.30, 2), new Order("b1", 0.10, 1), new Order("b2", 0.20, 4e-7)],
            [new Order("s0", 0.14, 3), new Order("s1", 0.30, 1), new Order("s2", 0.25, 0)],
            1e-3);
        var problem = NashProblem.Build(book, 1e-6);

        // Only (b0, s0) trades: (b0, s1) has no gain, (b0, s2) an empty ask, b1 meets no ask, b2 is below the minimum.
        Assert.Equal([0.08, 0, 0, 0, 0, 0, 0, 0, 0], problem.TradableGain.Select(g => Math.Round(g, 12)));
        Assert.Equal([0.08, 0, 0.025, -1, -1, -1, 0.03, -1, -1], problem.PairGain.Select(g => Math.Round(g, 12)));
    }
}
