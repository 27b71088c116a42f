namespace V2V.Clearing.Nash;

/// <summary>
/// Capacity multipliers lambda for the certificate computed from the quantities alone, without the solver's own
/// multipliers: the least potentials of the linear program the certificate's dual leaves once mu is fixed,
///   min sum_k lambda_k Q_k  s.t.  lambda_b + lambda_s &gt;= c_e = g_e (mu_b + mu_s) on every tradable pair,  lambda &gt;= 0,
/// the dual of the transportation LP max sum_e c_e x_e over the capacities (Dantzig, Linear Programming and Extensions,
/// 1963, ch. 15). Write lambda_b = x_b and lambda_s = -x_s: the constraints are the difference constraints
/// x_b &gt;= x_s + c_e; complementary slackness with the quantities q adds x_s &gt;= x_b - c_e where q_e &gt; 0 and x_s &gt;= 0
/// where seller s has capacity left, and x_b &gt;= 0. Their least solution is a longest-path problem from a root at 0
/// (Bellman-Ford); when q solves the transportation LP (it does at the Nash optimum: the KKT conditions say q maximises
/// the linearised objective), the graph has no positive cycle and lambda is an optimal dual, so
/// sum lambda Q - sum mu u is the Frank-Wolfe gap, the tightest certificate at these mu.
/// </summary>
/// <remarks>
/// Used when the interior point method's multipliers do not certify an iterate whose quantities are optimal (measured
/// on issue 17's families: iterates certified to 1e-10 by this dual read 1e-3 from the solver's multipliers, which
/// had drifted after the primal converged). Bellman-Ford's passes stop at participants + 1 (at most MaxPasses); a near-optimal q leaves
/// tiny positive cycles, which only raise lambda slightly: the caller's raise keeps the bound valid either way.
/// Costs O((buyers + sellers) x pairs) at worst, so it runs only after a solve that did not certify.
/// </remarks>
internal static class LpDual
{
    // A quantity below this fraction of its smaller end's load counts as no trade in the complementary slackness arcs:
    // an interior iterate (LogBarrierSolver's above all) holds a little on pairs that do not trade at the optimum, and an
    // arc there ties the two multipliers together wrongly and loosens the bound (measured on books with quantities
    // 1e-9 .. 1e6 kWh: 1e-4 relative against 1e-12 without those arcs).
    private const double Trading = 1e-6;

    // Bellman-Ford needs at most participants + 1 passes; past this many (a 2,000-order book: ~2 ms a pass) the
    // potentials found so far stand and the caller's raise keeps the bound valid, so the time budget holds.
    private const int MaxPasses = 64;

    /// <summary>Writes lambda (buyers, then sellers) for quantities q and utility weights mu (both sorted layout).</summary>
    public static void Potentials(
        ReadOnlySpan<double> q, ReadOnlySpan<double> tradableGain, ReadOnlySpan<double> mu, int nb, int ns,
        Func<int, double> capacity, Span<double> lambda, SolverDeadline deadline = default)
    {
        var x = lambda;
        for (var b = 0; b < nb; b++)
        {
            x[b] = 0;
        }

        Span<double> load = new double[nb + ns];
        for (var b = 0; b < nb; b++)
        {
            for (var s = 0; s < ns; s++)
            {
                load[b] += q[b * ns + s];
                load[nb + s] += q[b * ns + s];
            }
        }

        for (var s = 0; s < ns; s++)
        {
            x[nb + s] = load[nb + s] < capacity(nb + s) ? 0 : double.NegativeInfinity;
        }

        for (var pass = 0; pass <= Math.Min(nb + ns, MaxPasses); pass++)
        {
            deadline.Check();
            var changed = false;
            for (var b = 0; b < nb; b++)
            {
                for (var s = 0; s < ns; s++)
                {
                    var e = b * ns + s;
                    var g = tradableGain[e];
                    if (!(g > 0))
                    {
                        continue;
                    }

                    var c = g * (mu[b] + mu[nb + s]);
                    if (x[nb + s] + c > x[b])
                    {
                        x[b] = x[nb + s] + c;
                        changed = true;
                    }

                    if (q[e] > Trading * Math.Min(load[b], load[nb + s]) && x[b] - c > x[nb + s])
                    {
                        x[nb + s] = x[b] - c;
                        changed = true;
                    }
                }
            }

            if (!changed)
            {
                break;
            }
        }

        // A seller no tradable pair reaches keeps -infinity: it constrains nothing, so its multiplier is 0.
        for (var s = 0; s < ns; s++)
        {
            x[nb + s] = double.IsFinite(x[nb + s]) ? Math.Max(0, -x[nb + s]) : 0;
        }
    }
}
