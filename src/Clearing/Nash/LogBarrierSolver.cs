namespace V2V.Clearing.Nash;

/// <summary>
/// The fallback for small books the interior point method does not certify: the primal log-barrier method (Boyd and
/// Vandenberghe, Convex Optimization, 2004, ch. 11) with dense damped Newton steps on the problem's scaled data. For
/// t &gt; 0 it maximises
///   F_t(q) = t sum_k log(eps + u_k) + sum_e log q_e + sum_k log(Q_k - load_k)
/// over the interior; -t log(affine) (t &gt;= 1) and -log(affine) are self-concordant, so the damped step 1 / (1 + d),
/// d the Newton decrement, stays inside the domain and converges from any interior point, and the central point of t
/// is within (edges + participants) / t of the optimum. Newton's method is affine invariant, so it does not care that
/// the quantities of one book span twelve orders of magnitude, which is where the interior point method stalls
/// (measured: a 1 x 4 book with quantities 1.2e-3 .. 8.5e4 kWh, 200 iterations at a relative gap of 61). The caller
/// certifies the result with the certificate evaluator like any iterate; nothing here is taken on trust.
/// </summary>
/// <remarks>
/// Dense: the Newton matrix is edges x edges (O(edges^3) per step), so it runs only up to <see cref="MaxEdges"/>.
/// The matrix is scaled to a unit diagonal before its Cholesky factorisation, which keeps it accurate across the
/// scales (the diagonal of an edge holds 1 / q^2, from 1 to 1e24 on such books).
/// </remarks>
internal static class LogBarrierSolver
{
    /// <summary>The most edges the fallback takes on (a 200 x 200 dense factorisation per Newton step).</summary>
    public const int MaxEdges = 200;

    // Centering stops at this squared Newton decrement (the barrier function is within about half of it of its max).
    private const double CenteredDecrement = 1e-10;

    private const double GrowT = 10;

    // A quantity below this fraction of its pair's smaller capacity is taken for a pair that does not trade.
    private const double Negligible = 1e-9;

    private const int MaxNewtonSteps = 2_000;

    // Below this squared decrement a step that does not halve it is taken to be rounding, not progress.
    private const double RoundingDecrement = 1e-6;

    /// <summary>
    /// Scaled quantities on the problem's dense edges (o * InnerCount + i), near the optimum, or null if the book has
    /// more than <see cref="MaxEdges"/> edges or the deadline passed first.
    /// </summary>
    public static double[]? Solve(NashProblem p, double targetRelativeGap, double objectiveScale, long deadlineTimestamp) =>
        Solve(p, targetRelativeGap, objectiveScale, deadlineTimestamp, out _);

    /// <summary>
    /// As above, with the central point's capacity multipliers y_k = 1 / (t (Q_k - load_k)) (scaled units, solver
    /// order: outer, then inner), which with mu = pi satisfy the dual constraints up to the -1 / (t q_e) of each pair.
    /// </summary>
    public static double[]? Solve(NashProblem p, double targetRelativeGap, double objectiveScale, long deadlineTimestamp, out double[] multipliers)
    {
        multipliers = [];
        int nO = p.OuterCount, nI = p.InnerCount, n = nO + nI;
        var m = p.EdgeCount;
        if (m == 0 || m > MaxEdges)
        {
            return null;
        }

        // Edge list: outer and inner participant and gain of each edge.
        var outer = new int[m];
        var inner = new int[m];
        var gain = new double[m];
        var degree = new int[n];
        var next = 0;
        for (var o = 0; o < nO; o++)
        {
            for (var i = 0; i < nI; i++)
            {
                var g = p.Gain[o * nI + i];
                if (g > 0)
                {
                    (outer[next], inner[next], gain[next]) = (o, nO + i, g);
                    degree[o]++;
                    degree[nO + i]++;
                    next++;
                }
            }
        }

        // Strictly interior start: every participant at half its capacity at most.
        var q = new double[m];
        for (var e = 0; e < m; e++)
        {
            q[e] = 0.5 * Math.Min(p.Capacity[outer[e]] / degree[outer[e]], p.Capacity[inner[e]] / degree[inner[e]]);
        }

        var inequalities = m + n;
        var state = new Work(m, n);
        var steps = 0;
        var lastT = 1.0;
        for (var t = 1.0; ; t *= GrowT)
        {
            lastT = t;
            var previous = double.PositiveInfinity;
            while (true)
            {
                if (++steps > MaxNewtonSteps || System.Diagnostics.Stopwatch.GetTimestamp() >= deadlineTimestamp)
                {
                    return null;
                }

                var decrement = state.Newton(p, q, outer, inner, gain, t);
                if (!double.IsFinite(decrement))
                {
                    return null;
                }

                // Centred, or as centred as rounding allows (at t ~ 1e11 the decrement stops falling near 1e-10).
                if (decrement <= CenteredDecrement || (decrement <= RoundingDecrement && decrement > 0.5 * previous))
                {
                    break;
                }

                previous = decrement;
                state.Move(p, q, outer, inner, gain, t, decrement);
            }

            // The central point's gap bound, in objective units; a tenth of the target leaves room for the certificate.
            if (inequalities / t <= 0.1 * targetRelativeGap * objectiveScale)
            {
                break;
            }
        }

        multipliers = state.Multipliers(p, q, outer, inner, lastT);
        // A pair that does not trade at the optimum holds about 1 / (t z) at the central point; left in, the certificate's
        // Fill would top it up and its LP-dual arcs would tie its ends together, so such pairs go to 0.
        var dense = new double[nO * nI];
        for (var e = 0; e < m; e++)
        {
            var negligible = Negligible * Math.Min(p.Capacity[outer[e]], p.Capacity[inner[e]]);
            dense[(outer[e] * nI) + inner[e] - nO] = q[e] > negligible ? q[e] : 0;
        }

        return dense;
    }

    private sealed class Work(int m, int n)
    {
        private readonly double[] hessian = new double[m * m];
        private readonly double[] gradient = new double[m];
        private readonly double[] step = new double[m];
        private readonly double[] scale = new double[m];
        private readonly double[] pi = new double[n];
        private readonly double[] slack = new double[n];

        // Builds the Newton system of F_t at q and solves it into step; returns the squared Newton decrement.
        public double Newton(NashProblem p, double[] q, int[] outer, int[] inner, double[] gain, double t)
        {
            Array.Clear(pi);
            Array.Clear(slack);
            for (var e = 0; e < m; e++)
            {
                pi[outer[e]] += gain[e] * q[e];
                pi[inner[e]] += gain[e] * q[e];
                slack[outer[e]] += q[e];
                slack[inner[e]] += q[e];
            }

            for (var k = 0; k < n; k++)
            {
                pi[k] = 1 / (p.ScaledEpsilonOf(k) + pi[k]);
                slack[k] = p.Capacity[k] - slack[k];
            }

            // -Hessian (lower triangle) and gradient; pairs share a participant through its outer or inner end.
            for (var e = 0; e < m; e++)
            {
                int oe = outer[e], ie = inner[e];
                gradient[e] = (t * gain[e] * (pi[oe] + pi[ie])) + (1 / q[e]) - (1 / slack[oe]) - (1 / slack[ie]);
                for (var f = 0; f <= e; f++)
                {
                    var h = 0.0;
                    if (outer[f] == oe)
                    {
                        h += (t * gain[e] * gain[f] * pi[oe] * pi[oe]) + (1 / (slack[oe] * slack[oe]));
                    }

                    if (inner[f] == ie)
                    {
                        h += (t * gain[e] * gain[f] * pi[ie] * pi[ie]) + (1 / (slack[ie] * slack[ie]));
                    }

                    hessian[(e * m) + f] = h + (e == f ? 1 / (q[e] * q[e]) : 0);
                }
            }

            // Unit diagonal: H' = D H D with D = diag(1 / sqrt(H_ee)), solve H' y = D grad, step = D y.
            for (var e = 0; e < m; e++)
            {
                scale[e] = 1 / Math.Sqrt(hessian[(e * m) + e]);
            }

            for (var e = 0; e < m; e++)
            {
                for (var f = 0; f <= e; f++)
                {
                    hessian[(e * m) + f] *= scale[e] * scale[f];
                }

                step[e] = gradient[e] * scale[e];
            }

            DenseCholesky.Factor(hessian.AsSpan(), m);
            DenseCholesky.Solve(hessian, m, step);
            var decrement = 0.0;
            for (var e = 0; e < m; e++)
            {
                step[e] *= scale[e];
                decrement += step[e] * gradient[e];
            }

            return decrement;
        }

        // q += alpha step: the longest of 1, 1/2, 1/4 ... that stays inside and raises F_t by a hundredth of what the
        // Newton model promises (Armijo), but never shorter than the damped step 1 / (1 + sqrt(decrement)), which
        // self-concordance guarantees is inside and an ascent (comparing F_t values loses digits once t is large; the
        // damped step needs no comparison). The full step cut the Newton steps of a wide-scaled 1 x 4 book from over
        // 2,000 to a few dozen.
        public void Move(NashProblem p, double[] q, int[] outer, int[] inner, double[] gain, double t, double decrement)
        {
            var damped = 1 / (1 + Math.Sqrt(decrement));
            var here = Value(p, q, outer, inner, gain, t, 0);
            for (var alpha = 1.0; alpha > damped; alpha /= 2)
            {
                var there = Value(p, q, outer, inner, gain, t, alpha);
                if (there >= here + (0.01 * alpha * decrement))
                {
                    Take(q, alpha);
                    return;
                }
            }

            Take(q, damped);
        }

        public double[] Multipliers(NashProblem p, double[] q, int[] outer, int[] inner, double t)
        {
            var load = new double[n];
            for (var e = 0; e < m; e++)
            {
                load[outer[e]] += q[e];
                load[inner[e]] += q[e];
            }

            var y = new double[n];
            for (var k = 0; k < n; k++)
            {
                y[k] = 1 / (t * (p.Capacity[k] - load[k]));
            }

            return y;
        }

        private void Take(double[] q, double alpha)
        {
            for (var e = 0; e < m; e++)
            {
                q[e] += alpha * step[e];
            }
        }

        // F_t at q + alpha step; -infinity outside the domain.
        private double Value(NashProblem p, double[] q, int[] outer, int[] inner, double[] gain, double t, double alpha)
        {
            Array.Clear(pi);
            Array.Clear(slack);
            var value = 0.0;
            for (var e = 0; e < m; e++)
            {
                var x = q[e] + (alpha * step[e]);
                if (!(x > 0))
                {
                    return double.NegativeInfinity;
                }

                value += Math.Log(x);
                pi[outer[e]] += gain[e] * x;
                pi[inner[e]] += gain[e] * x;
                slack[outer[e]] += x;
                slack[inner[e]] += x;
            }

            for (var k = 0; k < n; k++)
            {
                var free = p.Capacity[k] - slack[k];
                if (!(free > 0) && slack[k] > 0)
                {
                    return double.NegativeInfinity;
                }

                value += (t * Math.Log(p.ScaledEpsilonOf(k) + pi[k])) + (slack[k] > 0 ? Math.Log(free) : 0);
            }

            return value;
        }
    }
}
