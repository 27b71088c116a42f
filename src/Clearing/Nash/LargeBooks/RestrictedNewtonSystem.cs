namespace V2V.Clearing.Nash.LargeBooks;

/// <summary>
/// The Newton system of <see cref="RestrictedInteriorPoint"/>: K = M^-1 + C D^-1 C^T factored sparsely (q/z and s/y
/// capped), and each Newton equation (D + B^T W B + A^T Theta A) dq = h solved by conjugate gradients on the exact
/// equation with that factor as preconditioner (Woodbury: (D + C^T M C)^-1 = D^-1 - D^-1 C^T K^-1 C D^-1).
/// </summary>
internal sealed partial class RestrictedInteriorPoint
{
    // K = M^-1 + C D^-1 C^T with w = q / z = D^-1.
    private void Factor()
    {
        for (var k = 0; k < n; k++)
        {
            var slack = eps + u[k];
            theta[k] = y[k] / s[k];
            d11[k] = slack * slack;
            d21[k] = 0;
            d22[k] = Math.Min(s[k] / y[k], MaxWeight);
        }

        for (var e = 0; e < m; e++)
        {
            var we = Math.Min(q[e] / z[e], MaxWeight);
            w[e] = we;
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

        cholesky.Begin(d11, d21, d22);
        for (var e = 0; e < m; e++)
        {
            cholesky.SetEdge(e, w[e], g[e]);
        }

        cholesky.Factor();
    }

    // The Newton direction for complementarity targets rc1 (edges) and rc2 (participants).
    private void Direction(double[] dqOut, double[] dzOut, double[] dsOut, double[] dyOut, double tolerance)
    {
        // r3 = (rc2 - y rp) / s in work's first half.
        for (var k = 0; k < n; k++)
        {
            work[k] = (rc2[k] - (y[k] * rp[k])) / s[k];
        }

        for (var e = 0; e < m; e++)
        {
            h[e] = -rd[e] + (rc1[e] / q[e]) - work[from[e]] - work[to[e]];
        }

        Conjugate(dqOut, tolerance);

        Array.Copy(rp, dsOut, n);
        for (var e = 0; e < m; e++)
        {
            dsOut[from[e]] -= dqOut[e];
            dsOut[to[e]] -= dqOut[e];
        }

        for (var k = 0; k < n; k++)
        {
            dyOut[k] = (rc2[k] - (y[k] * dsOut[k])) / s[k];
        }

        for (var e = 0; e < m; e++)
        {
            dzOut[e] = (rc1[e] - (z[e] * dqOut[e])) / q[e];
        }
    }

    // x = (D + C^T M C)^-1 r through K (Woodbury): x = w (r - C^T K^-1 C (w r)).
    private void ReducedSolve(double[] r, double[] x)
    {
        Array.Fill(v0, 0.0);
        Array.Fill(v1, 0.0);
        for (var e = 0; e < m; e++)
        {
            var t = w[e] * r[e];
            var gt = g[e] * t;
            v0[from[e]] += gt;
            v0[to[e]] += gt;
            v1[from[e]] += t;
            v1[to[e]] += t;
        }

        cholesky.Solve(v0, v1, work.AsSpan(0, 2 * n));
        for (var e = 0; e < m; e++)
        {
            int i = from[e], j = to[e];
            x[e] = w[e] * (r[e] - (g[e] * (v0[i] + v0[j])) - v1[i] - v1[j]);
        }
    }

    // out = (D + B^T W B + A^T Theta A) x with the exact D = z / q (the factorisation caps it).
    private void Apply(double[] x, double[] result)
    {
        Array.Fill(v0, 0.0);
        Array.Fill(v1, 0.0);
        for (var e = 0; e < m; e++)
        {
            v0[from[e]] += g[e] * x[e];
            v0[to[e]] += g[e] * x[e];
            v1[from[e]] += x[e];
            v1[to[e]] += x[e];
        }

        for (var k = 0; k < n; k++)
        {
            v0[k] *= pi[k] * pi[k];
            v1[k] *= theta[k];
        }

        for (var e = 0; e < m; e++)
        {
            int i = from[e], j = to[e];
            result[e] = (x[e] * z[e] / q[e]) + (g[e] * (v0[i] + v0[j])) + v1[i] + v1[j];
        }
    }

    // Preconditioned conjugate gradients on the exact (symmetric positive definite) reduced equation, the capped
    // factorisation as preconditioner (Hestenes and Stiefel 1952; as KrylovRefinement does with GMRES for the dense solver).
    private void Conjugate(double[] x, double tolerance)
    {
        Array.Clear(x);
        Array.Copy(h, res, m);
        var target = tolerance * Norm(h);
        ReducedSolve(res, cor);
        Array.Copy(cor, pdir, m);
        var rz = Dot(res, cor);
        for (var step = 0; step < MaxConjugateSteps && Norm(res) > target; step++)
        {
            Apply(pdir, apdir);
            var curvature = Dot(pdir, apdir);
            if (!(curvature > 0))
            {
                break;
            }

            var alpha = rz / curvature;
            for (var e = 0; e < m; e++)
            {
                x[e] += alpha * pdir[e];
                res[e] -= alpha * apdir[e];
            }

            ReducedSolve(res, cor);
            var next = Dot(res, cor);
            var beta = next / rz;
            rz = next;
            for (var e = 0; e < m; e++)
            {
                pdir[e] = cor[e] + (beta * pdir[e]);
            }
        }
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static double Norm(double[] a) => Math.Sqrt(Dot(a, a));
}
