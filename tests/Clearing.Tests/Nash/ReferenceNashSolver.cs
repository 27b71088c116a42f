namespace V2V.Clearing.Tests.Nash;

/// <summary>The reference optimum: quantities, utilities, objective, and our own certified upper bound.</summary>
internal sealed record ReferenceSolution(double[] Quantities, double[] Utilities, double Objective, double UpperBound);

/// <summary>
/// A deliberately plain, slow solver of the SPEC 4 program for small books (up to ~100 variables), written
/// independently of the mechanism: the textbook log-barrier method (Boyd and Vandenberghe, ch. 11) with
/// dense damped Newton steps and no structure exploited.
/// </summary>
/// <remarks>
/// For t &gt; 0 it maximises Phi_t(q) = t sum_k log(eps + u_k) + sum_e log q_e + sum_k log(Q_k - load_k) over
/// the interior; t log(affine) with t &gt;= 1 and log(affine) are self-concordant, so damped Newton with
/// backtracking converges from any interior point, and the central point is within (#inequalities) / t of
/// the optimum. We raise t tenfold until that bound is below 1e-12 relative, then certify the answer independently
/// with <see cref="NashDualBound"/> (exact transportation LP), so the bracket [Objective, UpperBound] does
/// not rest on the barrier theory.
/// </remarks>
internal static class ReferenceNashSolver
{
    public static ReferenceSolution Solve(NashInstance instance)
    {
        var edges = instance.Edges;
        var m = edges.Length;
        var n = instance.Participants;
        var quantities = new double[instance.Buyers * instance.Sellers];
        if (m == 0)
        {
            var zero = new double[n];
            var objective = instance.Objective(zero);
            return new ReferenceSolution(quantities, zero, objective, objective);
        }

        // Incidence: the edges (variable indices) of each participant.
        var incident = new List<int>[n];
        for (var k = 0; k < n; k++)
        {
            incident[k] = [];
        }

        for (var e = 0; e < m; e++)
        {
            incident[instance.BuyerOf(edges[e])].Add(e);
            incident[instance.SellerOf(edges[e])].Add(e);
        }

        // Strictly interior start: each participant uses at most half its capacity.
        var x = new double[m];
        for (var e = 0; e < m; e++)
        {
            int i = instance.BuyerOf(edges[e]), j = instance.SellerOf(edges[e]);
            x[e] = 0.5 * Math.Min(instance.Capacity[i] / incident[i].Count, instance.Capacity[j] / incident[j].Count);
        }

        var inequalities = m;
        for (var k = 0; k < n; k++)
        {
            inequalities += incident[k].Count > 0 ? 1 : 0;
        }

        var barrier = new Barrier(instance, edges, incident);
        for (var t = 1.0; ; t *= 10)
        {
            barrier.Center(x, t);
            if (inequalities / t < 1e-12 * Math.Max(1, Math.Abs(instance.Objective(instance.UtilitiesOfQuantities(Scatter(x, edges, quantities))))))
            {
                break;
            }
        }

        for (var e = 0; e < m; e++)
        {
            quantities[edges[e]] = x[e];
        }

        var u = instance.UtilitiesOfQuantities(quantities);
        return new ReferenceSolution(quantities, u, instance.Objective(u), NashDualBound.At(instance, u));
    }

    private static double[] Scatter(double[] x, int[] edges, double[] quantities)
    {
        for (var e = 0; e < edges.Length; e++)
        {
            quantities[edges[e]] = x[e];
        }

        return quantities;
    }

    private sealed class Barrier(NashInstance instance, int[] edges, List<int>[] incident)
    {
        private readonly int m = edges.Length;

        /// <summary>
        /// Damped Newton on Phi_t from x (interior) to the central point; x is updated in place. The step is
        /// the self-concordant one, 1 / (1 + lambda) with lambda the Newton decrement, which stays inside the
        /// domain and needs no comparison of Phi values (those are ~t large and lose every digit we want).
        /// </summary>
        public void Center(double[] x, double t)
        {
            var grad = new double[m];
            var hessian = new double[m, m];
            var trial = new double[m];
            for (var iteration = 0; iteration < 200; iteration++)
            {
                GradientAndHessian(x, t, grad, hessian);
                var step = Cholesky.SolveRegularised(hessian, grad);
                var decrement = 0.0;
                for (var e = 0; e < m; e++)
                {
                    decrement += grad[e] * step[e];
                }

                // Phi_t is within decrement / 2 of its maximum, so t f is too: a far smaller error in f than the
                // (#inequalities) / t of the barrier, and as small as rounding in Phi_t's gradient allows.
                if (!(decrement > 1e-10))
                {
                    return;
                }

                var size = decrement < 0.0625 ? 1 : 1 / (1 + Math.Sqrt(decrement));
                for (; size > 1e-30; size *= 0.5)
                {
                    for (var e = 0; e < m; e++)
                    {
                        trial[e] = x[e] + size * step[e];
                    }

                    if (double.IsFinite(Phi(trial, t)))
                    {
                        Array.Copy(trial, x, m);
                        break;
                    }
                }
            }
        }

        // Phi_t, or -infinity outside the interior.
        private double Phi(double[] x, double t)
        {
            var load = new double[instance.Participants];
            var u = new double[instance.Participants];
            var sum = 0.0;
            for (var e = 0; e < m; e++)
            {
                if (!(x[e] > 0))
                {
                    return double.NegativeInfinity;
                }

                sum += Math.Log(x[e]);
                int i = instance.BuyerOf(edges[e]), j = instance.SellerOf(edges[e]);
                var gq = instance.Gain[edges[e]] * x[e];
                u[i] += gq;
                u[j] += gq;
                load[i] += x[e];
                load[j] += x[e];
            }

            for (var k = 0; k < instance.Participants; k++)
            {
                if (incident[k].Count == 0)
                {
                    continue;
                }

                var slack = instance.Capacity[k] - load[k];
                if (!(slack > 0))
                {
                    return double.NegativeInfinity;
                }

                sum += Math.Log(slack) + t * Math.Log(instance.Epsilon + u[k]);
            }

            return sum;
        }

        // The gradient of Phi_t and the NEGATED Hessian (positive definite), dense.
        private void GradientAndHessian(double[] x, double t, double[] grad, double[,] hessian)
        {
            Array.Clear(hessian);
            for (var e = 0; e < m; e++)
            {
                grad[e] = 1 / x[e];
                hessian[e, e] = 1 / (x[e] * x[e]);
            }

            for (var k = 0; k < instance.Participants; k++)
            {
                var inc = incident[k];
                if (inc.Count == 0)
                {
                    continue;
                }

                double u = 0, load = 0;
                foreach (var e in inc)
                {
                    u += instance.Gain[edges[e]] * x[e];
                    load += x[e];
                }

                double w = 1 / (instance.Epsilon + u), slack = instance.Capacity[k] - load;
                foreach (var e in inc)
                {
                    grad[e] += t * w * instance.Gain[edges[e]] - 1 / slack;
                    foreach (var f in inc)
                    {
                        hessian[e, f] += t * w * w * instance.Gain[edges[e]] * instance.Gain[edges[f]] + 1 / (slack * slack);
                    }
                }
            }
        }
    }

    private static class Cholesky
    {
        /// <summary>
        /// Solves A y = b for symmetric positive definite A. Late in the barrier method A mixes entries of
        /// 1e20 and 1; when rounding makes it look indefinite, retry with the diagonal raised by a relative
        /// 1e-14, 1e-12, ...: the step stays an ascent direction, only a little less Newton-like.
        /// </summary>
        public static double[] SolveRegularised(double[,] a, double[] b)
        {
            var n = b.Length;
            for (var shift = 0.0; ; shift = shift == 0 ? 1e-14 : shift * 100)
            {
                var copy = (double[,])a.Clone();
                for (var i = 0; i < n; i++)
                {
                    copy[i, i] *= 1 + shift;
                }

                var y = Solve(copy, b);
                if (y is not null)
                {
                    return y;
                }

                if (shift > 1)
                {
                    throw new InvalidOperationException("reference solver: Newton matrix not positive definite");
                }
            }
        }

        // Solves A y = b by Cholesky (A is overwritten); null when A is not numerically positive definite.
        private static double[]? Solve(double[,] a, double[] b)
        {
            var n = b.Length;
            for (var j = 0; j < n; j++)
            {
                var d = a[j, j];
                for (var k = 0; k < j; k++)
                {
                    d -= a[j, k] * a[j, k];
                }

                if (!(d > 0))
                {
                    return null;
                }

                a[j, j] = Math.Sqrt(d);
                for (var i = j + 1; i < n; i++)
                {
                    var s = a[i, j];
                    for (var k = 0; k < j; k++)
                    {
                        s -= a[i, k] * a[j, k];
                    }

                    a[i, j] = s / a[j, j];
                }
            }

            var y = (double[])b.Clone();
            for (var i = 0; i < n; i++)
            {
                for (var k = 0; k < i; k++)
                {
                    y[i] -= a[i, k] * y[k];
                }

                y[i] /= a[i, i];
            }

            for (var i = n - 1; i >= 0; i--)
            {
                for (var k = i + 1; k < n; k++)
                {
                    y[i] -= a[k, i] * y[k];
                }

                y[i] /= a[i, i];
            }

            return y;
        }
    }
}
