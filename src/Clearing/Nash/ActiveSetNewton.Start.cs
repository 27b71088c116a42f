namespace V2V.Clearing.Nash;

/// <summary>The first active set of <see cref="ActiveSetNewton"/>: read off the transportation LP (small books) or off a converged iterate.</summary>
internal static partial class ActiveSetNewton
{
    // A pair of the start trades if its reduced cost is below this fraction of its profit.
    private const double Trading = 1e-6;

    // A share of a capacity below which a start's quantity counts as not trading and its slack as binding
    // (StartFromIterate).
    private const double Held = 1e-7;

    // The first active set of a small book, from the transportation LP at the start's utilities: a pair trades if it holds
    // a quantity and its reduced cost lambda_i + lambda_j - g_e (mu_i + mu_j) at the LP's optimal potentials is within
    // rounding of 0 (an interior iterate holds a little on every pair); a participant binds if its potential is positive.
    // (Books of the scales family that stopped far from the optimum, 8.5e-3, need the LP's view.)
    private static void StartFromLp(NashProblem p, double[] q, double[] lambda, bool[] inSupport, bool[] binding, SolverDeadline deadline)
    {
        int nb = p.Buyers.Length, ns = p.Sellers.Length, n = nb + ns;
        var gain = p.TradableGain;
        var utility = Utilities(p, q);
        var profit = new DoubleDouble[q.Length];
        for (var e = 0; e < q.Length; e++)
        {
            profit[e] = gain[e] > 0 ? ((1.0 / (utility[e / ns] + p.Epsilon)) + (1.0 / (utility[nb + (e % ns)] + p.Epsilon))) * gain[e] : DoubleDouble.Zero;
        }

        var potential = new DoubleDouble[n];
        var flow = new double[q.Length];
        TransportationFlow.Solve(profit, nb, ns, p.CapacityOfSorted, flow, potential, deadline);
        for (var e = 0; e < q.Length; e++)
        {
            // The LP's own flow counts too: a pair the start leaves empty may be where the optimum trades.
            var reduced = (potential[e / ns] + potential[nb + (e % ns)] - profit[e]).Value;
            inSupport[e] = gain[e] > 0 && (q[e] > 0 || flow[e] > 0) && reduced <= Trading * profit[e].Value;
            q[e] = inSupport[e] ? Math.Max(q[e], flow[e]) : 0;
            binding[e / ns] |= inSupport[e] && potential[e / ns] > DoubleDouble.Zero;
            binding[nb + (e % ns)] |= inSupport[e] && potential[nb + (e % ns)] > DoubleDouble.Zero;
        }

        for (var k = 0; k < n; k++)
        {
            lambda[k] = binding[k] ? potential[k].Value : 0;
        }
    }

    // The first active set of a larger book (whose LP would cost seconds in double-double: ~5 s at N = 200), read off the
    // start itself, an interior iterate within NearOptimum: a pair trades if it holds more than Held of its smaller end's
    // capacity, a participant binds if its slack is below Held of its capacity. The multipliers start at 0 (they enter
    // the KKT conditions linearly, so the first Newton step sets them).
    private static void StartFromIterate(NashProblem p, double[] q, bool[] inSupport, bool[] binding, double[] capacity)
    {
        int nb = p.Buyers.Length, ns = p.Sellers.Length;
        var gain = p.TradableGain;
        var load = LoadsPrecise(q, nb, ns);
        for (var k = 0; k < capacity.Length; k++)
        {
            binding[k] = (capacity[k] - load[k]).Value <= Held * capacity[k];
        }

        for (var e = 0; e < q.Length; e++)
        {
            inSupport[e] = gain[e] > 0 && q[e] > Held * Math.Min(capacity[e / ns], capacity[nb + (e % ns)]);
            q[e] = inSupport[e] ? q[e] : 0;
        }
    }
}
