namespace V2V.Clearing.Nash.LargeBooks;

/// <summary>
/// The preconditioner of <see cref="RestrictedInteriorPoint"/> for a working set too dense to factor (the whole book):
/// K~ = M^-1 + (the forest's edges, exactly) + 2 x (every other edge's diagonal blocks), factored with no fill.
/// </summary>
/// <remarks>
/// The forest is the first step of Boruvka's algorithm on the weights w (g^2 + 1), w = q/z capped: each participant's
/// heaviest edge (ties to the lower index, so the forest is deterministic and has no cycle). Since an edge's term
/// [a; b][a; b]^T is at most 2 diag(a a^T, b b^T), K~ &gt;= K, so the Woodbury form built on K~ stays positive definite and
/// conjugate gradients on the exact equation converge. Early, when all weights are alike, K~ is block Jacobi (a complete
/// bipartite graph's is well conditioned); near the optimum the trading pairs' weights grow like 1/mu and the forest
/// holds most of them, as the maximum spanning tree preconditioner of network interior point methods does (Resende and
/// Veiga, "An efficient implementation of a network interior point method", DIMACS Series 12, 1993; Portugal, Resende,
/// Veiga and Judice, "A truncated primal-infeasible dual-feasible network interior point method", Networks 35, 2000).
/// </remarks>
internal sealed partial class RestrictedInteriorPoint
{
    private int[] forestEdge = [];
    private int[] forestFrom = [];
    private int[] forestTo = [];

    private static void Keep(int[] top, double[] topWeight, int k, int per, double weight, int e)
    {
        var at = k * per;
        var last = at + per - 1;
        if (!(weight > topWeight[last]))
        {
            return;
        }

        var i = last;
        while (i > at && weight > topWeight[i - 1])
        {
            topWeight[i] = topWeight[i - 1];
            top[i] = top[i - 1];
            i--;
        }

        topWeight[i] = weight;
        top[i] = e;
    }

    private void FactorForest()
    {
        // Each participant's heaviest edges (PerNode of them).
        var perNode = int.TryParse(Environment.GetEnvironmentVariable("FPER"), out var fp) ? fp : 1;
        var top = new int[n * perNode];
        var topWeight = new double[n * perNode];
        Array.Fill(top, -1);
        for (var e = 0; e < m; e++)
        {
            var weight = w[e] * ((g[e] * g[e]) + 1);
            Keep(top, topWeight, from[e], perNode, weight, e);
            Keep(top, topWeight, to[e], perNode, weight, e);
        }

        var set = new HashSet<int>();
        foreach (var e in top)
        {
            if (e >= 0)
            {
                set.Add(e);
            }
        }

        var chosen = new List<int>(set);
        chosen.Sort();
        forestEdge = [.. chosen];
        forestFrom = new int[forestEdge.Length];
        forestTo = new int[forestEdge.Length];
        var inForest = new bool[m];
        for (var f = 0; f < forestEdge.Length; f++)
        {
            forestFrom[f] = from[forestEdge[f]];
            forestTo[f] = to[forestEdge[f]];
            inForest[forestEdge[f]] = true;
        }

        // The other edges' diagonal blocks once more (Factor added them once).
        for (var e = 0; e < m; e++)
        {
            if (inForest[e])
            {
                continue;
            }

            var we = w[e];
            var ge = g[e];
            int i = from[e], j = to[e];
            var a = we * ge * ge;
            var b = we * ge;
            d11[i] += a;
            d11[j] += a;
            d21[i] += b;
            d21[j] += b;
            d22[i] += we;
            d22[j] += we;
        }

        cholesky.Analyse(forestFrom, forestTo, long.MaxValue);
        cholesky.Begin(d11, d21, d22);
        for (var f = 0; f < forestEdge.Length; f++)
        {
            cholesky.SetEdge(f, w[forestEdge[f]], g[forestEdge[f]]);
        }

        cholesky.Factor();
    }

    // Conjugate gradients on K x = C W h in participant space (K = M^-1 + C W C^T exact, W = q/z uncapped), the forest
    // factor as preconditioner; then dq = W (h - C^T x).
    private void ParticipantConjugate(double[] dqOut, double tolerance)
    {
        var size = 2 * n;
        pr ??= new double[size];
        px ??= new double[size];
        pz ??= new double[size];
        pp ??= new double[size];
        pk ??= new double[size];
        Array.Clear(pr);
        for (var e = 0; e < m; e++)
        {
            var t = q[e] / z[e] * h[e];
            int i = from[e], j = to[e];
            pr[i] += g[e] * t;
            pr[j] += g[e] * t;
            pr[n + i] += t;
            pr[n + j] += t;
        }

        Array.Clear(px);
        var target = tolerance * Math.Sqrt(Dot(pr, pr));
        Precondition(pr, pz);
        Array.Copy(pz, pp, size);
        var rz = Dot(pr, pz);
        for (var step = 0; step < MaxConjugateSteps && Math.Sqrt(Dot(pr, pr)) > target; step++)
        {
            ApplyK(pp, pk);
            var curvature = Dot(pp, pk);
            if (!(curvature > 0))
            {
                break;
            }

            var alpha = rz / curvature;
            for (var k = 0; k < size; k++)
            {
                px[k] += alpha * pp[k];
                pr[k] -= alpha * pk[k];
            }

            ConjugateSteps++;
            Precondition(pr, pz);
            var next = Dot(pr, pz);
            var beta = next / rz;
            rz = next;
            for (var k = 0; k < size; k++)
            {
                pp[k] = pz[k] + (beta * pp[k]);
            }
        }

        for (var e = 0; e < m; e++)
        {
            int i = from[e], j = to[e];
            dqOut[e] = q[e] / z[e] * (h[e] - (g[e] * (px[i] + px[j])) - px[n + i] - px[n + j]);
        }
    }

    private double[]? pr;
    private double[]? px;
    private double[]? pz;
    private double[]? pp;
    private double[]? pk;

    private void Precondition(double[] r, double[] result)
    {
        Array.Copy(r, result, 2 * n);
        cholesky.Solve(result.AsSpan(0, n), result.AsSpan(n, n), work.AsSpan(0, 2 * n));
    }

    private void ApplyK(double[] x, double[] result)
    {
        for (var k = 0; k < n; k++)
        {
            var slack = eps + u[k];
            result[k] = slack * slack * x[k];
            result[n + k] = s[k] / y[k] * x[n + k];
        }

        for (var e = 0; e < m; e++)
        {
            int i = from[e], j = to[e];
            var t = q[e] / z[e] * ((g[e] * (x[i] + x[j])) + x[n + i] + x[n + j]);
            result[i] += g[e] * t;
            result[j] += g[e] * t;
            result[n + i] += t;
            result[n + j] += t;
        }
    }
}
