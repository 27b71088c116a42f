using FsCheck;
using FsCheck.Fluent;
using V2V.Learning.Nn;

namespace V2V.Learning.Tests.Nn;

public sealed class GemmTests
{
    // Every shape, every stride layout and both element types against the textbook triple loop.
    [Fact]
    public void Gemm_AnyShape_MatchesNaiveProduct()
    {
        var sizes = Gen.Choose(1, 21);
        Prop.ForAll(
            Arb.From(Gen.Zip(sizes, sizes).Zip(sizes).Zip(Gen.Choose(0, 1000))),
            t =>
            {
                var (((m, k), n), seed) = t;
                var random = new Random(seed);
                var a = GradientCheck.RandomArray(random, m * k);
                var b = GradientCheck.RandomArray(random, k * n);
                var bt = GradientCheck.RandomArray(random, n * k);
                var c0 = GradientCheck.RandomArray(random, m * n);

                var c = (double[])c0.Clone();
                Gemm.AccumulateAB<double>(a, k, 1, b, c, m, k, n);
                AssertNear(Naive(a, (i, p) => (i * k) + p, b, (p, j) => (p * n) + j, c0, m, k, n), c);

                // A^T stored as [k x m] read through strides (1, m): the dW = X^T dZ layout.
                var at = GradientCheck.RandomArray(random, k * m);
                c = (double[])c0.Clone();
                Gemm.AccumulateAB<double>(at, 1, m, b, c, m, k, n);
                AssertNear(Naive(at, (i, p) => (p * m) + i, b, (p, j) => (p * n) + j, c0, m, k, n), c);

                c = (double[])c0.Clone();
                Gemm.AccumulateABt<double>(a, bt, c, m, k, n);
                AssertNear(Naive(a, (i, p) => (i * k) + p, bt, (p, j) => (j * k) + p, c0, m, k, n), c);

                var cf = Array.ConvertAll(c0, x => (float)x);
                Gemm.AccumulateABt<float>(Array.ConvertAll(a, x => (float)x), Array.ConvertAll(bt, x => (float)x), cf, m, k, n);
                for (int i = 0; i < cf.Length; i++)
                {
                    Assert.Equal(c[i], cf[i], 1e-4);
                }
            }).QuickCheckThrowOnFailure();
    }

    private static double[] Naive(double[] a, Func<int, int, int> ai, double[] b, Func<int, int, int> bi, double[] c0, int m, int k, int n)
    {
        var c = (double[])c0.Clone();
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                for (int p = 0; p < k; p++)
                {
                    c[(i * n) + j] += a[ai(i, p)] * b[bi(p, j)];
                }
            }
        }

        return c;
    }

    private static void AssertNear(double[] expected, double[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-12, $"[{i}] {expected[i]:R} vs {actual[i]:R}");
        }
    }
}
