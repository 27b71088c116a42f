using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace V2V.Clearing.Nash;

/// <summary>
/// In-place Cholesky factorisation and solves of a dense symmetric positive definite matrix stored row-major
/// (only the lower triangle is read or written), with SIMD dot products. Written for the Newton system of the
/// Nash solver, whose Schur complement is small (2 x the smaller side) and dense. The factorisation runs in double or
/// single precision (the early iterations, see NewtonSystem.Factor); the solves are in double.
/// </summary>
internal static class DenseCholesky
{
    // A pivot this much smaller than its original diagonal means the direction is (numerically) free of
    // information; pin it with a huge pivot so that component of the solution is ~0 (as LP interior point
    // codes do) instead of failing late in a solve that is otherwise fine.
    private const double PivotTolerance = 1e-15;
    private const double HugePivot = 1e64;

    // In single precision (NewtonSystem's early iterations) a pivot within ~100 rounding errors of nothing is pinned, and
    // the huge pivot has to fit a float.
    private const double SinglePivotTolerance = 1e-5;
    private const double SingleHugePivot = 1e30;

    /// <summary>Factors a = L L^T in place (lower triangle). Returns the number of pinned pivots.</summary>
    /// <remarks>
    /// Right-looking, four columns at a time: a panel of four columns is factored (few flops, scalar, one unrolled
    /// pass per row below its diagonal block), copied out column-wise, and the trailing lower triangle takes its rank-4 update row by row with contiguous vector loads
    /// (no dot products, so no horizontal sums).
    /// </remarks>
    public static int Factor<T>(Span<T> a, int n, SolverDeadline deadline = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var pinned = 0;
        var (tolerance, huge) = typeof(T) == typeof(float)
            ? (T.CreateTruncating(SinglePivotTolerance), T.CreateTruncating(SingleHugePivot))
            : (T.CreateTruncating(PivotTolerance), T.CreateTruncating(HugePivot));
        Span<T> original = n <= 256 ? stackalloc T[n] : new T[n];
        Span<T> panel = n <= 256 ? stackalloc T[4 * n] : new T[4 * n];
        for (var r = 0; r < n; r++)
        {
            original[r] = a[r * n + r];
        }

        for (var j = 0; j < n; j += 4)
        {
            // One panel's trailing update is O(n^2): ~10 ms at n = 6,666 (10,000 orders), so the budget is read per panel.
            deadline.Check();
            var width = Math.Min(4, n - j);
            ref var a0 = ref MemoryMarshal.GetReference(a);
            for (var k = j; k < j + width; k++)
            {
                ref var rowK = ref Unsafe.Add(ref a0, k * n);
                var d = Unsafe.Add(ref rowK, k);
                for (var m = j; m < k; m++)
                {
                    d -= Unsafe.Add(ref rowK, m) * Unsafe.Add(ref rowK, m);
                }

                if (!(d > tolerance * T.Abs(original[k])))
                {
                    d = huge;
                    pinned++;
                }

                var pivot = T.Sqrt(d);
                var inverse = T.One / pivot;
                Unsafe.Add(ref rowK, k) = pivot;
                for (var r = k + 1; r < j + width; r++)
                {
                    ref var rowR = ref Unsafe.Add(ref a0, r * n);
                    var v = Unsafe.Add(ref rowR, k);
                    for (var m = j; m < k; m++)
                    {
                        v -= Unsafe.Add(ref rowR, m) * Unsafe.Add(ref rowK, m);
                    }

                    Unsafe.Add(ref rowR, k) = v * inverse;
                }
            }

            var next = j + width;
            if (next >= n)
            {
                break;
            }

            // The rows below the panel's diagonal block (width is 4 here), each solved against the block's lower
            // triangle in one unrolled pass; panel[m * n + r] = L[r, j + m] keeps the panel's columns contiguous.
            ref var d0 = ref Unsafe.Add(ref a0, (j * n) + j);
            ref var d1 = ref Unsafe.Add(ref d0, n);
            ref var d2 = ref Unsafe.Add(ref d1, n);
            ref var d3 = ref Unsafe.Add(ref d2, n);
            T i0 = T.One / d0, i1 = T.One / Unsafe.Add(ref d1, 1), i2 = T.One / Unsafe.Add(ref d2, 2), i3 = T.One / Unsafe.Add(ref d3, 3);
            T l10 = Unsafe.Add(ref d1, 0), l20 = Unsafe.Add(ref d2, 0), l21 = Unsafe.Add(ref d2, 1);
            T l30 = Unsafe.Add(ref d3, 0), l31 = Unsafe.Add(ref d3, 1), l32 = Unsafe.Add(ref d3, 2);
            ref var p0 = ref MemoryMarshal.GetReference(panel);
            for (var r = next; r < n; r++)
            {
                ref var x = ref Unsafe.Add(ref a0, (r * n) + j);
                var x0 = x * i0;
                var x1 = (Unsafe.Add(ref x, 1) - (x0 * l10)) * i1;
                var x2 = (Unsafe.Add(ref x, 2) - (x0 * l20) - (x1 * l21)) * i2;
                var x3 = (Unsafe.Add(ref x, 3) - (x0 * l30) - (x1 * l31) - (x2 * l32)) * i3;
                x = x0;
                Unsafe.Add(ref x, 1) = x1;
                Unsafe.Add(ref x, 2) = x2;
                Unsafe.Add(ref x, 3) = x3;
                Unsafe.Add(ref p0, r) = x0;
                Unsafe.Add(ref p0, n + r) = x1;
                Unsafe.Add(ref p0, (2 * n) + r) = x2;
                Unsafe.Add(ref p0, (3 * n) + r) = x3;
            }

            // Two rows at a time share the panel's loads; the second row's diagonal entry is left to the first's tail.
            var r2 = next;
            for (; r2 + 1 < n; r2 += 2)
            {
                RankUpdate(ref Unsafe.Add(ref a0, r2 * n), ref Unsafe.Add(ref a0, (r2 + 1) * n), ref p0, n, j, next, r2 + 1);
            }

            if (r2 < n)
            {
                RankUpdate(ref Unsafe.Add(ref a0, r2 * n), ref Unsafe.Add(ref a0, r2 * n), ref p0, n, j, next, r2 + 1);
            }
        }

        return pinned;
    }

    // For rows a and b (b is a's successor, or a itself): row[c] -= sum over the panel's four columns m of
    // row[j + m] panel[m][c], for c in [from, to) on both rows and c = to on b (its diagonal).
    private static void RankUpdate<T>(ref T a, ref T b, ref T panel, int n, int j, int from, int to)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var same = Unsafe.AreSame(ref a, ref b);
        T a0 = Unsafe.Add(ref a, j), a1 = Unsafe.Add(ref a, j + 1), a2 = Unsafe.Add(ref a, j + 2), a3 = Unsafe.Add(ref a, j + 3);
        T b0 = Unsafe.Add(ref b, j), b1 = Unsafe.Add(ref b, j + 1), b2 = Unsafe.Add(ref b, j + 2), b3 = Unsafe.Add(ref b, j + 3);
        ref var p0 = ref panel;
        ref var p1 = ref Unsafe.Add(ref panel, n);
        ref var p2 = ref Unsafe.Add(ref panel, 2 * n);
        ref var p3 = ref Unsafe.Add(ref panel, 3 * n);
        var w = Vector<T>.Count;
        var c = from;
        if (!same)
        {
            Vector<T> va0 = new(a0), va1 = new(a1), va2 = new(a2), va3 = new(a3);
            Vector<T> vb0 = new(b0), vb1 = new(b1), vb2 = new(b2), vb3 = new(b3);
            for (; c <= to - w; c += w)
            {
                var x0 = Vector.LoadUnsafe(ref p0, (nuint)c);
                var x1 = Vector.LoadUnsafe(ref p1, (nuint)c);
                var x2 = Vector.LoadUnsafe(ref p2, (nuint)c);
                var x3 = Vector.LoadUnsafe(ref p3, (nuint)c);
                (Vector.LoadUnsafe(ref a, (nuint)c) - ((va0 * x0) + (va1 * x1) + (va2 * x2) + (va3 * x3))).StoreUnsafe(ref a, (nuint)c);
                (Vector.LoadUnsafe(ref b, (nuint)c) - ((vb0 * x0) + (vb1 * x1) + (vb2 * x2) + (vb3 * x3))).StoreUnsafe(ref b, (nuint)c);
            }
        }

        for (; c < to; c++)
        {
            T x0 = Unsafe.Add(ref p0, c), x1 = Unsafe.Add(ref p1, c), x2 = Unsafe.Add(ref p2, c), x3 = Unsafe.Add(ref p3, c);
            Unsafe.Add(ref a, c) -= (a0 * x0) + (a1 * x1) + (a2 * x2) + (a3 * x3);
            if (!same)
            {
                Unsafe.Add(ref b, c) -= (b0 * x0) + (b1 * x1) + (b2 * x2) + (b3 * x3);
            }
        }

        if (!same)
        {
            T x0 = Unsafe.Add(ref p0, to), x1 = Unsafe.Add(ref p1, to), x2 = Unsafe.Add(ref p2, to), x3 = Unsafe.Add(ref p3, to);
            Unsafe.Add(ref b, to) -= (b0 * x0) + (b1 * x1) + (b2 * x2) + (b3 * x3);
        }
    }

    /// <summary>Solves L L^T x = b in place (b becomes x).</summary>
    /// <remarks>
    /// Four rows of L at a time: forward, their dot products with the solved prefix share its loads; backward
    /// (columns of L^T are rows of L), their four scaled rows are subtracted from the unsolved prefix in one pass.
    /// </remarks>
    public static void Solve(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        ref var l0 = ref MemoryMarshal.GetReference(l);
        ref var x = ref MemoryMarshal.GetReference(b);
        var r = 0;
        for (; r + 4 <= n; r += 4)
        {
            ref var row0 = ref Unsafe.Add(ref l0, r * n);
            ref var row1 = ref Unsafe.Add(ref row0, n);
            ref var row2 = ref Unsafe.Add(ref row1, n);
            ref var row3 = ref Unsafe.Add(ref row2, n);
            // The pivots' reciprocals do not depend on x, so they are computed off the chain from x0 to x3.
            double i0 = 1 / Unsafe.Add(ref row0, r), i1 = 1 / Unsafe.Add(ref row1, r + 1), i2 = 1 / Unsafe.Add(ref row2, r + 2), i3 = 1 / Unsafe.Add(ref row3, r + 3);
            var (d0, d1, d2, d3) = Dot4(ref row0, ref row1, ref row2, ref row3, ref x, r);
            var x0 = (Unsafe.Add(ref x, r) - d0) * i0;
            var x1 = (Unsafe.Add(ref x, r + 1) - d1 - (Unsafe.Add(ref row1, r) * x0)) * i1;
            var x2 = (Unsafe.Add(ref x, r + 2) - d2 - (Unsafe.Add(ref row2, r) * x0) - (Unsafe.Add(ref row2, r + 1) * x1)) * i2;
            var x3 = (Unsafe.Add(ref x, r + 3) - d3 - (Unsafe.Add(ref row3, r) * x0) - (Unsafe.Add(ref row3, r + 1) * x1) - (Unsafe.Add(ref row3, r + 2) * x2))
                * i3;
            Unsafe.Add(ref x, r) = x0;
            Unsafe.Add(ref x, r + 1) = x1;
            Unsafe.Add(ref x, r + 2) = x2;
            Unsafe.Add(ref x, r + 3) = x3;
        }

        for (; r < n; r++)
        {
            b[r] = (b[r] - Dot(l.Slice(r * n, r), b[..r])) / l[r * n + r];
        }

        // Backward: the rows after the last full block of four one at a time, then blocks of four.
        var top = n - (n % 4);
        for (r = n - 1; r >= top; r--)
        {
            var xr = b[r] / l[r * n + r];
            b[r] = xr;
            Axpy(-xr, l.Slice(r * n, r), b[..r]);
        }

        for (r = top - 4; r >= 0; r -= 4)
        {
            ref var row0 = ref Unsafe.Add(ref l0, r * n);
            ref var row1 = ref Unsafe.Add(ref row0, n);
            ref var row2 = ref Unsafe.Add(ref row1, n);
            ref var row3 = ref Unsafe.Add(ref row2, n);
            double i0 = 1 / Unsafe.Add(ref row0, r), i1 = 1 / Unsafe.Add(ref row1, r + 1), i2 = 1 / Unsafe.Add(ref row2, r + 2), i3 = 1 / Unsafe.Add(ref row3, r + 3);
            var x3 = Unsafe.Add(ref x, r + 3) * i3;
            var x2 = (Unsafe.Add(ref x, r + 2) - (Unsafe.Add(ref row3, r + 2) * x3)) * i2;
            var x1 = (Unsafe.Add(ref x, r + 1) - (Unsafe.Add(ref row3, r + 1) * x3) - (Unsafe.Add(ref row2, r + 1) * x2)) * i1;
            var x0 = (Unsafe.Add(ref x, r) - (Unsafe.Add(ref row3, r) * x3) - (Unsafe.Add(ref row2, r) * x2) - (Unsafe.Add(ref row1, r) * x1)) * i0;
            Unsafe.Add(ref x, r) = x0;
            Unsafe.Add(ref x, r + 1) = x1;
            Unsafe.Add(ref x, r + 2) = x2;
            Unsafe.Add(ref x, r + 3) = x3;
            Axpy4(-x0, -x1, -x2, -x3, ref row0, ref row1, ref row2, ref row3, ref x, r);
        }
    }

    // The dot products of four rows with v over [0, length).
    private static (double, double, double, double) Dot4(ref double a0, ref double a1, ref double a2, ref double a3, ref double v, int length)
    {
        var w = Vector<double>.Count;
        Vector<double> s0 = default, s1 = default, s2 = default, s3 = default;
        var k = 0;
        for (; k <= length - w; k += w)
        {
            var x = Vector.LoadUnsafe(ref v, (nuint)k);
            s0 += Vector.LoadUnsafe(ref a0, (nuint)k) * x;
            s1 += Vector.LoadUnsafe(ref a1, (nuint)k) * x;
            s2 += Vector.LoadUnsafe(ref a2, (nuint)k) * x;
            s3 += Vector.LoadUnsafe(ref a3, (nuint)k) * x;
        }

        double t0 = Vector.Sum(s0), t1 = Vector.Sum(s1), t2 = Vector.Sum(s2), t3 = Vector.Sum(s3);
        for (; k < length; k++)
        {
            var x = Unsafe.Add(ref v, k);
            t0 += Unsafe.Add(ref a0, k) * x;
            t1 += Unsafe.Add(ref a1, k) * x;
            t2 += Unsafe.Add(ref a2, k) * x;
            t3 += Unsafe.Add(ref a3, k) * x;
        }

        return (t0, t1, t2, t3);
    }

    // v[0, length) += c0 a0 + c1 a1 + c2 a2 + c3 a3.
    private static void Axpy4(double c0, double c1, double c2, double c3, ref double a0, ref double a1, ref double a2, ref double a3, ref double v, int length)
    {
        var w = Vector<double>.Count;
        Vector<double> v0 = new(c0), v1 = new(c1), v2 = new(c2), v3 = new(c3);
        var k = 0;
        for (; k <= length - w; k += w)
        {
            var update = (v0 * Vector.LoadUnsafe(ref a0, (nuint)k)) + (v1 * Vector.LoadUnsafe(ref a1, (nuint)k))
                + (v2 * Vector.LoadUnsafe(ref a2, (nuint)k)) + (v3 * Vector.LoadUnsafe(ref a3, (nuint)k));
            (Vector.LoadUnsafe(ref v, (nuint)k) + update).StoreUnsafe(ref v, (nuint)k);
        }

        for (; k < length; k++)
        {
            Unsafe.Add(ref v, k) += (c0 * Unsafe.Add(ref a0, k)) + (c1 * Unsafe.Add(ref a1, k)) + (c2 * Unsafe.Add(ref a2, k)) + (c3 * Unsafe.Add(ref a3, k));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var n = x.Length;
        ref var rx = ref MemoryMarshal.GetReference(x);
        ref var ry = ref MemoryMarshal.GetReference(y);
        var w = Vector<double>.Count;
        var i = 0;
        var sum = 0.0;
        if (Vector.IsHardwareAccelerated && n >= 2 * w)
        {
            Vector<double> acc0 = Vector<double>.Zero, acc1 = Vector<double>.Zero;
            for (; i <= n - 2 * w; i += 2 * w)
            {
                acc0 += Vector.LoadUnsafe(ref rx, (nuint)i) * Vector.LoadUnsafe(ref ry, (nuint)i);
                acc1 += Vector.LoadUnsafe(ref rx, (nuint)(i + w)) * Vector.LoadUnsafe(ref ry, (nuint)(i + w));
            }

            for (; i <= n - w; i += w)
            {
                acc0 += Vector.LoadUnsafe(ref rx, (nuint)i) * Vector.LoadUnsafe(ref ry, (nuint)i);
            }

            sum = Vector.Sum(acc0 + acc1);
        }

        for (; i < n; i++)
        {
            sum += Unsafe.Add(ref rx, i) * Unsafe.Add(ref ry, i);
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        var n = x.Length;
        var w = Vector<double>.Count;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref var rx = ref MemoryMarshal.GetReference(x);
            ref var ry = ref MemoryMarshal.GetReference(y);
            var va = new Vector<double>(alpha);
            for (; i <= n - w; i += w)
            {
                (Vector.LoadUnsafe(ref ry, (nuint)i) + va * Vector.LoadUnsafe(ref rx, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            y[i] += alpha * x[i];
        }
    }
}
