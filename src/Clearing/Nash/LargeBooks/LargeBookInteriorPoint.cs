namespace V2V.Clearing.Nash.LargeBooks;

/// <summary>
/// The interior point method on every pair of a large book at a cost per iteration that follows the pairs, not the
/// square of a side: <see cref="RestrictedInteriorPoint"/> on all the problem's edges with the forest preconditioner
/// (<see cref="ForestPreconditioner"/>), each iterate near the target certified by the dense solver's
/// <see cref="CertificateEvaluator"/> on the same <see cref="NashProblem"/> (purification, the hand-back of dropped
/// trades, the multipliers' raises and tightening, and the transportation LP's dual), so the certificate is the one
/// every other book gets, over every pair.
/// </summary>
internal sealed class LargeBookInteriorPoint
{
    // The iterate is certified once its complementarity is this multiple of the target's absolute gap.
    private const double EvaluateWithin = 1;

    // Evaluations that do not improve the best certificate before the run stops (the iterate has stalled).
    private const int StallEvaluations = 4;

    private readonly NashProblem problem;
    private readonly CertificateEvaluator evaluator;

    public LargeBookInteriorPoint(NashProblem problem, CertificateEvaluator evaluator)
    {
        this.problem = problem;
        this.evaluator = evaluator;
    }

    /// <summary>Conjugate gradient steps of the last run (all Newton solves).</summary>
    public long ConjugateSteps { get; private set; }

    /// <summary>Interior point iterations of the last run.</summary>
    public int Iterations { get; private set; }

    public void Run(double relativeGap, int maxIterations, SolverDeadline deadline)
    {
        int nO = problem.OuterCount, nI = problem.InnerCount;
        var gain = problem.Gain;
        var edges = new List<int>();
        for (var e = 0; e < nO * nI; e++)
        {
            if (gain[e] > 0)
            {
                edges.Add(e);
            }
        }

        var m = edges.Count;
        int[] from = new int[m], to = new int[m];
        var g = new double[m];
        for (var k = 0; k < m; k++)
        {
            from[k] = edges[k] / nI;
            to[k] = nO + (edges[k] % nI);
            g[k] = gain[edges[k]];
        }

        var solver = new RestrictedInteriorPoint(nO + nI, from, to, g, problem.Capacity, problem.ScaledEpsilon, forest: true);
        solver.Start(long.MaxValue);
        var dense = new double[nO * nI];
        var switchAt = double.TryParse(Environment.GetEnvironmentVariable("SWITCH"), out var sw) ? sw : 1e-3;
        var ratio = double.TryParse(Environment.GetEnvironmentVariable("RATIO"), out var ra) ? ra : 1e-3;
        var switched = false;
        var grewAt = 0;
        var stalled = 0;
        var best = double.PositiveInfinity;
        for (var iteration = 1; iteration <= maxIterations; iteration++)
        {
            deadline.Check();
            if (!solver.Iterate())
            {
                break;
            }

            Iterations = iteration;
            ConjugateSteps = solver.ConjugateSteps;
            var scale = Math.Max(1, Math.Abs(Objective(solver.Quantity, from, to, g)));
            if (Environment.GetEnvironmentVariable("CGDEBUG") == "1") { Console.Error.WriteLine($"it {iteration} compl {solver.Complementarity:E2} cg {solver.ConjugateSteps} obj {scale:F4}"); }
            if (!switched && solver.Complementarity <= switchAt * scale)
            {
                switched = true;
                (solver, from, to, g, edges) = Restrict(solver, from, to, g, edges, ratio);
                m = edges.Count;
                if (Environment.GetEnvironmentVariable("CGDEBUG") == "1") { Console.Error.WriteLine($"switch: kept {m} edges, slots {solver.Slots}"); }
                Array.Clear(dense);
            }

            if (solver.Complementarity > EvaluateWithin * relativeGap * scale && iteration < maxIterations)
            {
                continue;
            }

            var quantity = solver.Quantity;
            for (var k = 0; k < m; k++)
            {
                dense[edges[k]] = quantity[k];
            }

            var gap = Math.Min(evaluator.Evaluate(dense, [.. solver.Multiplier], iteration), evaluator.EvaluateWithLpDual(dense, [.. solver.Multiplier], iteration));
            if (gap <= relativeGap)
            {
                return;
            }

            if (switched && iteration - grewAt >= 3 && Grow(ref solver, ref from, ref to, ref g, edges))
            {
                m = edges.Count;
                grewAt = iteration;
                if (Environment.GetEnvironmentVariable("CGDEBUG") == "1") { Console.Error.WriteLine($"grow: {m} edges, slots {solver.Slots}, gap was {gap:E2}"); }
                continue;
            }

            stalled = gap < best ? 0 : stalled + 1;
            best = Math.Min(best, gap);
            if (stalled >= StallEvaluations)
            {
                return;
            }
        }
    }

    // The edges with q >= ratio z kept, the others' quantities given back to their ends' slacks; a sparse exact solver on them.
    private (RestrictedInteriorPoint, int[], int[], double[], List<int>) Restrict(RestrictedInteriorPoint solver, int[] from, int[] to, double[] g, List<int> edges, double ratio)
    {
        var q = solver.Quantity;
        var z = solver.DualSlack;
        var s = solver.Slack.ToArray();
        var kept = new List<int>();
        for (var e = 0; e < edges.Count; e++)
        {
            if (q[e] >= ratio * z[e])
            {
                kept.Add(e);
            }
            else
            {
                s[from[e]] += q[e];
                s[to[e]] += q[e];
            }
        }

        int[] kFrom = new int[kept.Count], kTo = new int[kept.Count];
        double[] kG = new double[kept.Count], kQ = new double[kept.Count], kZ = new double[kept.Count];
        var kEdges = new List<int>(kept.Count);
        for (var k = 0; k < kept.Count; k++)
        {
            var e = kept[k];
            (kFrom[k], kTo[k], kG[k], kQ[k], kZ[k]) = (from[e], to[e], g[e], q[e], z[e]);
            kEdges.Add(edges[e]);
        }

        var restricted = new RestrictedInteriorPoint(problem.ParticipantCount, kFrom, kTo, kG, problem.Capacity, problem.ScaledEpsilon);
        restricted.StartFrom(kQ, kZ, s, solver.Multiplier, 64L << 20);
        return (restricted, kFrom, kTo, kG, kEdges);
    }

    // Prices every pair of the problem at the iterate's pi and y; the largest positive reduced costs join (PerParticipant
    // per participant at most), each at a small quantity taken from its ends' slacks. False if none.
    private bool Grow(ref RestrictedInteriorPoint solver, ref int[] from, ref int[] to, ref double[] g, List<int> edges)
    {
        int nO = problem.OuterCount, nI = problem.InnerCount, n = nO + nI;
        var per = int.TryParse(Environment.GetEnvironmentVariable("GPER"), out var gp) ? gp : 3;
        var q = solver.Quantity;
        var y = solver.Multiplier;
        var u = new double[n];
        var member = new bool[nO * nI];
        for (var e = 0; e < edges.Count; e++)
        {
            u[from[e]] += g[e] * q[e];
            u[to[e]] += g[e] * q[e];
            member[edges[e]] = true;
        }

        var pi = new double[n];
        for (var k = 0; k < n; k++)
        {
            pi[k] = 1 / (problem.ScaledEpsilon + u[k]);
        }

        var candidates = new List<(double Reduced, int Edge)>();
        var gain = problem.Gain;
        for (var o = 0; o < nO; o++)
        {
            for (var i = 0; i < nI; i++)
            {
                var e = (o * nI) + i;
                if (gain[e] > 0 && !member[e])
                {
                    var reduced = (gain[e] * (pi[o] + pi[nO + i])) - y[o] - y[nO + i];
                    if (reduced > 0)
                    {
                        candidates.Add((reduced, e));
                    }
                }
            }
        }

        candidates.Sort((a, b) => a.Reduced != b.Reduced ? b.Reduced.CompareTo(a.Reduced) : a.Edge.CompareTo(b.Edge));
        var taken = new int[n];
        var added = new List<int>();
        foreach (var (_, e) in candidates)
        {
            int o = e / nI, i = nO + (e % nI);
            if (taken[o] < per && taken[i] < per)
            {
                taken[o]++;
                taken[i]++;
                added.Add(e);
            }
        }

        if (added.Count == 0)
        {
            return false;
        }

        var m = edges.Count;
        var total = m + added.Count;
        var s = solver.Slack.ToArray();
        var yy = y.ToArray();
        var mu = solver.Complementarity / (m + n);
        var zeta = Math.Sqrt(mu);
        // Dual feasible warm start: each added pair's ends' multipliers raised by half its reduced cost (plus zeta), so its
        // z is zeta; the kept pairs' z rise by the same amounts, which keeps their dual residuals.
        var raise = new double[n];
        foreach (var e in added)
        {
            int o = e / nI, i = nO + (e % nI);
            var reduced = (gain[e] * (pi[o] + pi[i])) - y[o] - y[i];
            var half = (reduced + zeta) / 2;
            raise[o] = Math.Max(raise[o], half);
            raise[i] = Math.Max(raise[i], half);
        }

        for (var k = 0; k < n; k++)
        {
            yy[k] += raise[k];
        }

        int[] nFrom = new int[total], nTo = new int[total];
        double[] nG = new double[total], nQ = new double[total], nZ = new double[total];
        var z = solver.DualSlack;
        for (var e = 0; e < m; e++)
        {
            (nFrom[e], nTo[e], nG[e], nQ[e], nZ[e]) = (from[e], to[e], g[e], q[e], z[e] + raise[from[e]] + raise[to[e]]);
        }

        for (var a = 0; a < added.Count; a++)
        {
            var e = added[a];
            int o = e / nI, i = nO + (e % nI);
            var zNew = yy[o] + yy[i] - (gain[e] * (pi[o] + pi[i]));
            var x = Math.Min(mu / zNew, 0.1 * Math.Min(s[o], s[i]));
            s[o] -= x;
            s[i] -= x;
            (nFrom[m + a], nTo[m + a], nG[m + a], nQ[m + a], nZ[m + a]) = (o, i, gain[e], x, zNew);
            edges.Add(e);
        }

        var grown = new RestrictedInteriorPoint(n, nFrom, nTo, nG, problem.Capacity, problem.ScaledEpsilon);
        grown.StartFrom(nQ, nZ, s, yy, 64L << 20);
        (solver, from, to, g) = (grown, nFrom, nTo, nG);
        return true;
    }

    // The objective's value at scaled quantities (the scale the gap is relative to).
    private double Objective(ReadOnlySpan<double> q, int[] from, int[] to, double[] g)
    {
        var n = problem.ParticipantCount;
        var pi = new double[n];
        var u = new double[n];
        for (var e = 0; e < q.Length; e++)
        {
            u[from[e]] += g[e] * q[e];
            u[to[e]] += g[e] * q[e];
        }

        for (var k = 0; k < n; k++)
        {
            pi[k] = 1 / (problem.ScaledEpsilon + u[k]);
        }

        return problem.Objective(pi);
    }
}
