using V2V.Benchmarks.Clearing;
using V2V.Clearing.Nash;

namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// The single-precision factorisation of the early interior point iterations: the Cholesky factorisation in float
/// against double, the pivots that only float loses, and NewtonSystem's steps with it (and its fallback to double).
/// </summary>
public sealed class SinglePrecisionFactorTests
{
    [Fact]
    public void DenseCholesky_Single_SolvesAsDoubleToSinglePrecision()
    {
        const int n = 41;
        var random = new Random(5);
        var m = new double[n, n];
        for (var r = 0; r < n; r++)
        {
            for (var c = 0; c < n; c++)
            {
                m[r, c] = random.NextDouble() - 0.5;
            }
        }

        // A = M M^T + I is symmetric positive definite and well conditioned.
        var a = new double[n * n];
        for (var r = 0; r < n; r++)
        {
            for (var c = 0; c < n; c++)
            {
                var sum = r == c ? 1.0 : 0.0;
                for (var k = 0; k < n; k++)
                {
                    sum += m[r, k] * m[c, k];
                }

                a[r * n + c] = sum;
            }
        }

        var b = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var single = a.Select(x => (float)x).ToArray();
        Assert.Equal(0, DenseCholesky.Factor<float>(single, n));
        var x = b.ToArray();
        DenseCholesky.Solve(single.Select(v => (double)v).ToArray(), n, x);
        var reference = b.ToArray();
        Assert.Equal(0, DenseCholesky.Factor<double>(a, n));
        DenseCholesky.Solve(a, n, reference);

        var error = Math.Sqrt(x.Zip(reference, (p, q) => (p - q) * (p - q)).Sum());
        var norm = Math.Sqrt(reference.Sum(v => v * v));
        Assert.True(error <= 1e-4 * norm, $"single-precision solve off by {error / norm:E2} (relative)");
        Assert.True(error > 0, "the single-precision factor should differ from the double one");
    }

    [Fact]
    public void DenseCholesky_PivotLostToFloatRounding_IsPinnedInSingleOnly()
    {
        // [[1, 1], [1, 1 + 1e-9]]: the second pivot is 1e-9, which double keeps and float rounds away.
        double[] a = [1, 0, 1, 1 + 1e-9];
        float[] single = [1, 0, 1, (float)(1 + 1e-9)];
        Assert.Equal(1, DenseCholesky.Factor<float>(single, 2));
        Assert.Equal(0, DenseCholesky.Factor<double>(a, 2));
        Assert.Equal(Math.Sqrt(1e-9), a[3], 1e-10);
    }

    // Inner counts that fill whole strips of the Schur complement's layout (2 inner participants in double, 4 in single
    // precision) and ones that leave a partial strip or none whole.
    [Theory]
    [InlineData(30, 20)]
    [InlineData(9, 7)]
    [InlineData(4, 3)]
    public void NewtonSystem_Single_GivesTheDoubleStepsToSinglePrecision(int nO, int nI)
    {
        int m = nO * nI, n = nO + nI;
        var random = new Random(17);
        var g = Enumerable.Range(0, m).Select(_ => 0.1 + random.NextDouble()).ToArray();
        var w = Enumerable.Range(0, m).Select(_ => Math.Exp(6 * random.NextDouble() - 3)).ToArray();
        var pi = Enumerable.Range(0, n).Select(_ => 0.5 + random.NextDouble()).ToArray();
        var theta = Enumerable.Range(0, n).Select(_ => 0.01 + random.NextDouble()).ToArray();
        var r1 = Enumerable.Range(0, m).Select(_ => random.NextDouble() - 0.5).ToArray();
        var r2 = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();

        var (dq, dy) = Steps(nO, nI, g, w, pi, theta, r1, r2, single: false, out var usedSingle);
        Assert.False(usedSingle);
        var (dqSingle, dySingle) = Steps(nO, nI, g, w, pi, theta, r1, r2, single: true, out usedSingle);
        Assert.True(usedSingle);
        AssertClose(dq, dqSingle, 1e-4);
        AssertClose(dy, dySingle, 1e-4);
    }

    [Fact]
    public void NewtonSystem_PivotLostInSingle_FallsBackToDouble()
    {
        // One inner participant whose two edges have the same gain, with a tiny utility term (1 / pi^2) and slack
        // ratio: its 2 x 2 block of the Schur complement is rank one plus 1e-9, which float cannot resolve.
        const int nO = 2, nI = 1, m = nO * nI;
        double[] g = [0.5, 0.5];
        double[] w = [1, 1];
        double[] pi = [1e-3, 1e-3, Math.Sqrt(1e9)];
        double[] theta = [1e6, 1e6, 1e-9];
        double[] r1 = [0.3, -0.2];
        double[] r2 = [0.1, 0.2, -0.4];

        var (dq, dy) = Steps(nO, nI, g, w, pi, theta, r1, r2, single: false, out _);
        var (dqFallback, dyFallback) = Steps(nO, nI, g, w, pi, theta, r1, r2, single: true, out var usedSingle);
        Assert.False(usedSingle);
        Assert.Equal(dq, dqFallback);
        Assert.Equal(dy, dyFallback);
        Assert.Equal(m, dq.Length);
    }

    [Fact]
    public void Solver_SeededBooks_FactorsTheEarlyIterationsInSingleAndStillCertifies()
    {
        var books = new[]
        {
            BookGenerator.AllPairsFeasible(100, 0), BookGenerator.MostPairsFeasible(100, 1), BookGenerator.SimulationLike(100, 2),
            BookGenerator.MostPairsFeasible(20, 3),
        };
        foreach (var book in books)
        {
            var problem = NashProblem.Build(book, 1e-6);
            var evaluator = new CertificateEvaluator(problem, 1e-6);
            var solver = InteriorPointSolver.For(problem, evaluator);
            var iterations = solver.Run(1e-9, 200);
            Assert.True(evaluator.BestCertificate.RelativeGap <= 1e-9, $"{book.Bids.Count} bids: {evaluator.BestCertificate.RelativeGap:E3}");

            // The first iterations (mu >= 1e-3) run in single precision, the last ones never.
            Assert.InRange(solver.SingleIterations, 1, iterations / 2);
        }
    }

    private static (double[] Dq, double[] Dy) Steps(
        int nO, int nI, double[] g, double[] w, double[] pi, double[] theta, double[] r1, double[] r2, bool single, out bool usedSingle)
    {
        var n = nO + nI;
        var system = new NewtonSystem(new EdgeRows(nO, nI));
        system.Factor(g, w, pi, theta, single);
        usedSingle = system.Single;
        var (dt, dy, dq) = (new double[n], new double[n], new double[nO * nI]);
        system.Solve(g, w, r1, r2, dt, dy, dq);
        return (dq, dy);
    }

    private static void AssertClose(double[] expected, double[] actual, double relative)
    {
        var error = Math.Sqrt(expected.Zip(actual, (p, q) => (p - q) * (p - q)).Sum());
        var norm = Math.Sqrt(expected.Sum(v => v * v));
        Assert.True(error <= relative * norm, $"off by {error / norm:E2} (relative)");
    }
}
