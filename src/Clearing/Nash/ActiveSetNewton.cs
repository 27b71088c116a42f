namespace V2V.Clearing.Nash;

/// <summary>
/// The last fallback for a book the interior point method, the log-barrier method and the exact LP dual did not certify
/// (a larger book only where <see cref="Applies"/>): Newton's method on the optimality (KKT) conditions of the program restricted to a guessed active set, with the
/// residuals in double-double (<see cref="DoubleDouble"/>), and the active set corrected until the conditions of the whole
/// program hold (a primal active-set method: Nocedal and Wright, "Numerical Optimization", 2nd ed., 2006, ch. 16.5 and
/// 18; the extended-precision residuals are mixed-precision iterative refinement, Wilkinson 1963, Higham, "Accuracy and
/// Stability of Numerical Algorithms", 2nd ed., 2002, ch. 12).
/// </summary>
/// <remarks>
/// With the trading pairs E and the binding participants K fixed, the optimum of SPEC 4 solves
///   F_e = g_e (mu_i + mu_j) - lambda_i - lambda_j = 0 (e = (i, j) in E),   G_k = load_k - Q_k = 0 (k in K),
/// with mu_k = 1 / (eps + u_k), u = B q, and lambda_k = 0 outside K. Newton's step solves
///   [H A^T; A 0] [dq; dlambda] = [F; -G],   H = B_E^T diag(mu^2) B_E,
/// scaled so that each quantity is measured in its own size and each capacity row in its capacity (the quantities of one
/// book span 1e-9 .. 1e6 kWh, which is what stalls the interior point method there), with a ridge of 1e-13 on H's unit
/// diagonal for the directions along cycles of E that move no utility. The solution is then checked against the whole
/// program (q &gt; 0 on E, loads within every capacity, lambda &gt;= 0 on K, g_e (mu_i + mu_j) &lt;= lambda_i + lambda_j on
/// every pair outside E) and the active set corrected by the worst violation, at most <see cref="MaxRounds"/> + 2 x
/// participants times; a Newton step that would take a quantity below 0 is cut there and that pair leaves E.
/// Nothing here is taken on trust: the caller certifies the quantities returned (in double-double) and keeps them only if
/// their certificate is better than the best so far. Measured on 2026-12-07: of 2,500 seeded books of the scales family
/// (quantities 1e-9..1e6 kWh, eps 1e-9..1) without a minimum trade, the 14 that the double-double certificate left
/// uncertified, all with quantities short of the optimum by the test's own bound (1.1e-9 .. 8.5e-3), certified; 0 of
/// 4,500 books (with and without the minimum trade) stay uncertified. The 14 mid-sized books the study-grid scan left
/// uncertified (up to 598 tradable pairs) certify at ~1e-17. Dense (O((trading pairs + binding participants)^3) per
/// Newton step, at most <see cref="MaxKktSize"/> rows), and the time budget is read every step.
/// </remarks>
internal static partial class ActiveSetNewton
{
    // Rounds of active-set corrections at most: this many, plus two for each participant (a start from a converged
    // interior iterate of a mid-sized book holds every pair that trades a little, and drops them one ratio test at a
    // time: 32 rounds on a book of 62 bids x 26 asks).
    private const int MaxRounds = 40;

    /// <summary>
    /// Above <see cref="LogBarrierSolver.MaxEdges"/> pairs, the relative gap at most which the method is tried: from a
    /// start that near the optimum its first active set is nearly right, while from a poor start it can cycle until its
    /// budget ends (an N = 200 book stopped after 6 interior point iterations at 2e-4 spent 10 s in 440 rounds).
    /// </summary>
    public const double NearOptimum = 1e-6;

    // Trading pairs plus binding participants at most: the KKT matrix is dense (18 MB and ~1e9 flops per elimination here).
    private const int MaxKktSize = 1500;

    private const int MaxNewtonSteps = 60;

    private const double Ridge = 1e-13;

    /// <summary>
    /// Whether the method (and the exact LP dual before it) is worth trying for a book whose best certificate is
    /// <paramref name="best"/>: any book of at most <see cref="LogBarrierSolver.MaxEdges"/> pairs; a larger one only if
    /// the interior point method <paramref name="stalled"/> (its iterate converged without a certificate: its support is
    /// then the optimum's, up to the pairs the certificate misses) at a relative gap of at most <see cref="NearOptimum"/>. Stopped by its
    /// iteration or time budget, an iterate still holds a little on most pairs: from one stopped at 1e-8 after 10
    /// iterations at N = 200, the method spent 16-32 s on KKT matrices of ~1,000 pairs without certifying.
    /// </summary>
    public static bool Applies(NashProblem p, ClearingCertificate best, bool stalled) =>
        IsSmall(p) || (stalled && best.RelativeGap <= NearOptimum);

    /// <summary>
    /// A book of at most <see cref="LogBarrierSolver.MaxEdges"/> pairs: its first active set and its certificate come from
    /// the transportation LP in double-double; a larger one's from the iterate and the active set's own multipliers.
    /// </summary>
    public static bool IsSmall(NashProblem p) => p.EdgeCount <= LogBarrierSolver.MaxEdges;

    /// <summary>
    /// Quantities (kWh, sorted layout [buyer * sellers + seller]) at the optimum of the book's program, found from
    /// <paramref name="start"/> (feasible, near the optimum); null if Newton's method broke down or the deadline passed.
    /// </summary>
    public static double[]? Solve(NashProblem p, ReadOnlySpan<double> start, SolverDeadline deadline) =>
        Solve(p, start, deadline, out _);

    /// <summary>
    /// As above, with the capacity multipliers (buyers, then sellers) of the last Newton step in
    /// <paramref name="multipliers"/>: at a solution, the exact dual of the active set.
    /// </summary>
    public static double[]? Solve(NashProblem p, ReadOnlySpan<double> start, SolverDeadline deadline, out double[] multipliers)
    {
        int n = p.Buyers.Length + p.Sellers.Length;
        var q = start.ToArray();
        var capacity = new double[n];
        for (var k = 0; k < n; k++)
        {
            capacity[k] = p.CapacityOfSorted(k);
        }

        var inSupport = new bool[q.Length];
        var binding = new bool[n];
        multipliers = new double[n];
        try
        {
            if (IsSmall(p))
            {
                StartFromLp(p, q, multipliers, inSupport, binding, deadline);
            }
            else
            {
                StartFromIterate(p, q, inSupport, binding, capacity);
            }

            for (var round = 0; round < MaxRounds + (2 * n) && Newton(p, q, multipliers, inSupport, binding, capacity, deadline, out var dropped); round++)
            {
                if (!dropped && !Correct(p, q, multipliers, inSupport, binding, capacity))
                {
                    break;
                }
            }
        }
        catch (SolverDeadlineException)
        {
            return null;
        }

        foreach (var x in q)
        {
            if (!double.IsFinite(x))
            {
                return null;
            }
        }

        return q;
    }

    // Changes the active set by the worst violation of the whole program's conditions; false if none is violated. (A
    // quantity that reached 0 has already left the support in Newton.)
    private static bool Correct(NashProblem p, double[] q, double[] lambda, bool[] inSupport, bool[] binding, double[] capacity)
    {
        int nb = p.Buyers.Length, ns = p.Sellers.Length, n = nb + ns;
        var gain = p.TradableGain;

        // A capacity exceeded joins K; a binding participant whose multiplier is negative leaves it.
        var load = LoadsPrecise(q, nb, ns);
        var (over, overBy) = (-1, 0.0);
        var (negative, negativeBy) = (-1, 0.0);
        for (var k = 0; k < n; k++)
        {
            var excess = (load[k] - capacity[k]).Value / capacity[k];
            if (!binding[k] && excess > 1e-15 && excess > overBy)
            {
                (over, overBy) = (k, excess);
            }

            if (binding[k] && lambda[k] < negativeBy)
            {
                (negative, negativeBy) = (k, lambda[k]);
            }
        }

        if (over >= 0)
        {
            binding[over] = true;
            return true;
        }

        if (negative >= 0)
        {
            binding[negative] = false;
            lambda[negative] = 0;
            return true;
        }

        // The most violated dual constraint outside the support joins it, with a small quantity.
        var utility = Utilities(p, q);
        var (enter, enterBy) = (-1, 0.0);
        for (var e = 0; e < q.Length; e++)
        {
            if (inSupport[e] || !(gain[e] > 0))
            {
                continue;
            }

            int b = e / ns, s = nb + (e % ns);
            var profit = (gain[e] / (p.Epsilon + utility[b].Value)) + (gain[e] / (p.Epsilon + utility[s].Value));
            var violation = (profit - lambda[b] - lambda[s]) / profit;
            if (violation > 1e-12 && violation > enterBy)
            {
                (enter, enterBy) = (e, violation);
            }
        }

        if (enter >= 0)
        {
            inSupport[enter] = true;
            q[enter] = 1e-3 * Math.Min(capacity[enter / ns], capacity[nb + (enter % ns)]);
            return true;
        }

        return false;
    }

    // Newton's method on the KKT conditions of the active set; false if a step was not finite. droppedAny: a step took a
    // quantity to 0 and ended the solve early (the active set changed).
    private static bool Newton(NashProblem p, double[] q, double[] lambda, bool[] inSupport, bool[] binding, double[] capacity, SolverDeadline deadline, out bool droppedAny)
    {
        droppedAny = false;
        int nb = p.Buyers.Length, ns = p.Sellers.Length, n = nb + ns;
        var gain = p.TradableGain;
        var edges = new List<int>();
        for (var e = 0; e < q.Length; e++)
        {
            if (inSupport[e])
            {
                edges.Add(e);
            }
        }

        var rows = new List<int>();
        for (var k = 0; k < n; k++)
        {
            if (binding[k])
            {
                rows.Add(k);
            }
            else
            {
                lambda[k] = 0;
            }
        }

        int m = edges.Count, r = rows.Count, size = m + r;
        if (size > MaxKktSize)
        {
            return false;
        }

        var matrix = new double[size * size];
        var rhs = new double[size];
        var scale = new double[m];
        var previous = double.PositiveInfinity;
        for (var step = 0; step < MaxNewtonSteps; step++)
        {
            deadline.Check();
            var utility = Utilities(p, q);
            var mu = new DoubleDouble[n];
            for (var k = 0; k < n; k++)
            {
                mu[k] = 1.0 / (utility[k] + p.Epsilon);
            }

            Array.Clear(matrix);
            var residual = 0.0;
            for (var a = 0; a < m; a++)
            {
                var e = edges[a];
                int b = e / ns, s = nb + (e % ns);
                // Each quantity measured in its own size (or its smaller end's capacity, for a quantity near 0).
                scale[a] = Math.Max(q[e], 1e-6 * Math.Min(capacity[b], capacity[s]));
                var f = ((mu[b] + mu[s]) * gain[e]) - lambda[b] - lambda[s];
                rhs[a] = f.Value * scale[a];
                residual = Math.Max(residual, Math.Abs(rhs[a]));
            }

            var load = LoadsPrecise(q, nb, ns);
            for (var c = 0; c < r; c++)
            {
                var k = rows[c];
                var g = (load[k] - capacity[k]).Value / capacity[k];
                rhs[m + c] = -g;
                residual = Math.Max(residual, Math.Abs(g));
            }

            if (residual <= 1e-17 || (step > 3 && residual >= previous))
            {
                return true;
            }

            previous = residual;
            for (var a = 0; a < m; a++)
            {
                var e = edges[a];
                int b = e / ns, s = nb + (e % ns);
                for (var c = 0; c < m; c++)
                {
                    var f = edges[c];
                    int bf = f / ns, sf = nb + (f % ns);
                    var h = 0.0;
                    h += b == bf ? mu[b].Value * mu[b].Value : 0;
                    h += s == sf ? mu[s].Value * mu[s].Value : 0;
                    matrix[(a * size) + c] = h * gain[e] * gain[f] * scale[a] * scale[c];
                }

                matrix[(a * size) + a] += Ridge * Math.Max(matrix[(a * size) + a], 1e-300);
                for (var c = 0; c < r; c++)
                {
                    var k = rows[c];
                    if (k == b || k == s)
                    {
                        // Row k of A scaled by 1 / Q_k, its multiplier by Q_k: entries q-size over Q-size, O(1).
                        matrix[(a * size) + m + c] = scale[a] / capacity[k];
                        matrix[((m + c) * size) + a] = scale[a] / capacity[k];
                    }
                }
            }

            // A capacity row without a trade, or more binding rows than the support can meet, would make the matrix
            // singular: a ridge on the multipliers' block makes it quasi-definite, and Correct then frees those rows.
            for (var c = 0; c < r; c++)
            {
                matrix[((m + c) * size) + m + c] = -Ridge;
            }

            if (!SolveInPlace(matrix, rhs, size))
            {
                return false;
            }

            foreach (var x in rhs)
            {
                if (!double.IsFinite(x))
                {
                    return false;
                }
            }

            // The step is cut where the first quantity reaches 0 (the ratio test of a primal active-set method), and that
            // pair leaves the support; the next round of Correct brings it back if its dual constraint says it trades.
            var alpha = 1.0;
            var blocking = -1;
            for (var a = 0; a < m; a++)
            {
                var dq = rhs[a] * scale[a];
                if (dq < 0 && q[edges[a]] + dq <= 0 && q[edges[a]] / -dq < alpha)
                {
                    (alpha, blocking) = (q[edges[a]] / -dq, a);
                }
            }

            for (var a = 0; a < m; a++)
            {
                q[edges[a]] = a == blocking ? 0 : Math.Max(0, q[edges[a]] + (alpha * rhs[a] * scale[a]));
                inSupport[edges[a]] = q[edges[a]] > 0;
            }

            var dropped = blocking >= 0;
            for (var c = 0; c < r; c++)
            {
                lambda[rows[c]] += alpha * rhs[m + c] / capacity[rows[c]];
            }

            if (dropped)
            {
                droppedAny = true;
                return true;
            }
        }

        return true;
    }

    // Gaussian elimination with partial pivoting (the KKT matrix is symmetric but indefinite); x overwrites b.
    private static bool SolveInPlace(double[] a, double[] b, int size)
    {
        for (var col = 0; col < size; col++)
        {
            var pivot = col;
            for (var row = col + 1; row < size; row++)
            {
                pivot = Math.Abs(a[(row * size) + col]) > Math.Abs(a[(pivot * size) + col]) ? row : pivot;
            }

            if (!(Math.Abs(a[(pivot * size) + col]) > 0))
            {
                return false;
            }

            if (pivot != col)
            {
                for (var c = 0; c < size; c++)
                {
                    (a[(col * size) + c], a[(pivot * size) + c]) = (a[(pivot * size) + c], a[(col * size) + c]);
                }

                (b[col], b[pivot]) = (b[pivot], b[col]);
            }

            var inverse = 1 / a[(col * size) + col];
            for (var row = col + 1; row < size; row++)
            {
                var factor = a[(row * size) + col] * inverse;
                if (factor == 0)
                {
                    continue;
                }

                for (var c = col + 1; c < size; c++)
                {
                    a[(row * size) + c] -= factor * a[(col * size) + c];
                }

                b[row] -= factor * b[col];
            }
        }

        for (var row = size - 1; row >= 0; row--)
        {
            var sum = b[row];
            for (var c = row + 1; c < size; c++)
            {
                sum -= a[(row * size) + c] * b[c];
            }

            b[row] = sum / a[(row * size) + row];
        }

        return true;
    }

    private static DoubleDouble[] Utilities(NashProblem p, double[] q)
    {
        int nb = p.Buyers.Length, ns = p.Sellers.Length;
        var u = new DoubleDouble[nb + ns];
        for (var e = 0; e < q.Length; e++)
        {
            if (q[e] > 0)
            {
                var gq = DoubleDouble.Product(p.PairGain[e], q[e]);
                u[e / ns] += gq;
                u[nb + (e % ns)] += gq;
            }
        }

        return u;
    }

    private static DoubleDouble[] LoadsPrecise(double[] q, int nb, int ns)
    {
        var load = new DoubleDouble[nb + ns];
        for (var e = 0; e < q.Length; e++)
        {
            load[e / ns] += q[e];
            load[nb + (e % ns)] += q[e];
        }

        return load;
    }
}
