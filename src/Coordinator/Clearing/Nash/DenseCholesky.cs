using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace V2V.Coordinator.Clearing.Nash;

/// <summary>
/// In-place Cholesky factorisation and solves of a dense symmetric positive definite matrix stored row-major
/// (only the lower triangle is read or written), with SIMD dot products. Written for the Newton system of the
/// Nash solver, whose Schur complement is small (2 x the smaller side) and dense.
/// </summary>
internal static class DenseCholesky
{
    // A pivot this much smaller than its original diagonal means the direction is (numerically) free of
    // information; pin it with a huge pivot so that component of the solution is ~0 (as LP interior point
    // codes do) instead of failing late in a solve that is otherwise fine.
    private const double PivotTolerance = 1e-15;
    private const double HugePivot = 1e64;

    /// <summary>Factors a = L L^T in place (lower triangle). Returns the number of pinned pivots.</summary>
    /// <remarks>
    /// Right-looking, four columns at a time: a panel of four columns is factored (few flops, scalar), copied out
    /// column-wise, and the trailing lower triangle takes its rank-4 update row by row with contiguous vector loads
    /// (no dot products, so no horizontal sums).
    /// </remarks>
    public static int Factor(Span<double> a, int n)
    {
        var pinned = 0;
        Span<double> original = n <= 256 ? stackalloc double[n] : new double[n];
        Span<double> panel = n <= 256 ? stackalloc double[4 * n] : new double[4 * n];
        for (var r = 0; r < n; r++)
        {
            original[r] = a[r * n + r];
        }

        for (var j = 0; j < n; j += 4)
        {
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

                if (!(d > PivotTolerance * Math.Abs(original[k])))
                {
                    d = HugePivot;
                    pinned++;
                }

                var pivot = Math.Sqrt(d);
                var inverse = 1 / pivot;
                Unsafe.Add(ref rowK, k) = pivot;
                for (var r = k + 1; r < n; r++)
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

            // panel[m * n + c] = L[c, j + m]: the panel's columns, contiguous.
            for (var c = next; c < n; c++)
            {
                for (var m = 0; m < width; m++)
                {
                    panel[(m * n) + c] = a[(c * n) + j + m];
                }
            }

            for (var r = next; r < n; r++)
            {
                RankUpdate(a.Slice(r * n, n), panel, n, j, width, next, r + 1);
            }
        }

        return pinned;
    }

    // row[c] -= sum over the panel's columns m of row[j + m] panel[m][c], for c in [from, to).
    private static void RankUpdate(Span<double> row, ReadOnlySpan<double> panel, int n, int j, int width, int from, int to)
    {
        double l0 = row[j], l1 = width > 1 ? row[j + 1] : 0, l2 = width > 2 ? row[j + 2] : 0, l3 = width > 3 ? row[j + 3] : 0;
        ref var rr = ref MemoryMarshal.GetReference(row);
        ref var p0 = ref MemoryMarshal.GetReference(panel);
        ref var p1 = ref Unsafe.Add(ref p0, width > 1 ? n : 0);
        ref var p2 = ref Unsafe.Add(ref p0, width > 2 ? 2 * n : 0);
        ref var p3 = ref Unsafe.Add(ref p0, width > 3 ? 3 * n : 0);
        var w = Vector<double>.Count;
        var c = from;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<double> v0 = new(l0), v1 = new(l1), v2 = new(l2), v3 = new(l3);
            for (; c <= to - w; c += w)
            {
                var update = (v0 * Vector.LoadUnsafe(ref p0, (nuint)c)) + (v1 * Vector.LoadUnsafe(ref p1, (nuint)c))
                    + (v2 * Vector.LoadUnsafe(ref p2, (nuint)c)) + (v3 * Vector.LoadUnsafe(ref p3, (nuint)c));
                (Vector.LoadUnsafe(ref rr, (nuint)c) - update).StoreUnsafe(ref rr, (nuint)c);
            }
        }

        for (; c < to; c++)
        {
            row[c] -= (l0 * Unsafe.Add(ref p0, c)) + (l1 * Unsafe.Add(ref p1, c)) + (l2 * Unsafe.Add(ref p2, c)) + (l3 * Unsafe.Add(ref p3, c));
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
            var (d0, d1, d2, d3) = Dot4(ref row0, ref row1, ref row2, ref row3, ref x, r);
            var x0 = (Unsafe.Add(ref x, r) - d0) / Unsafe.Add(ref row0, r);
            var x1 = (Unsafe.Add(ref x, r + 1) - d1 - (Unsafe.Add(ref row1, r) * x0)) / Unsafe.Add(ref row1, r + 1);
            var x2 = (Unsafe.Add(ref x, r + 2) - d2 - (Unsafe.Add(ref row2, r) * x0) - (Unsafe.Add(ref row2, r + 1) * x1)) / Unsafe.Add(ref row2, r + 2);
            var x3 = (Unsafe.Add(ref x, r + 3) - d3 - (Unsafe.Add(ref row3, r) * x0) - (Unsafe.Add(ref row3, r + 1) * x1) - (Unsafe.Add(ref row3, r + 2) * x2))
                / Unsafe.Add(ref row3, r + 3);
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
            var x3 = Unsafe.Add(ref x, r + 3) / Unsafe.Add(ref row3, r + 3);
            var x2 = (Unsafe.Add(ref x, r + 2) - (Unsafe.Add(ref row3, r + 2) * x3)) / Unsafe.Add(ref row2, r + 2);
            var x1 = (Unsafe.Add(ref x, r + 1) - (Unsafe.Add(ref row3, r + 1) * x3) - (Unsafe.Add(ref row2, r + 1) * x2)) / Unsafe.Add(ref row1, r + 1);
            var x0 = (Unsafe.Add(ref x, r) - (Unsafe.Add(ref row3, r) * x3) - (Unsafe.Add(ref row2, r) * x2) - (Unsafe.Add(ref row1, r) * x1)) / Unsafe.Add(ref row0, r);
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

    /// <summary>
    /// c[r, col] = -(row r of a) . (row col of a) for col &lt;= r, with a rows x width row-major and rows even; c is
    /// rows x rows row-major (a few entries just above the diagonal are written too, and never read).
    /// Blocks of 4 x 2 rows share their loads, so the Gram matrix costs ~3x fewer loads than one dot per entry.
    /// </summary>
    public static void NegatedGramLower(double[] a, int rows, int width, double[] c)
    {
        var r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            for (var col = 0; col <= r + 2; col += 2)
            {
                Gram4x2(a, width, r, col, c, rows);
            }
        }

        for (; r < rows; r += 2)
        {
            for (var col = 0; col <= r; col += 2)
            {
                c[r * rows + col] = -Dot(a.AsSpan(r * width, width), a.AsSpan(col * width, width));
                c[r * rows + col + 1] = -Dot(a.AsSpan(r * width, width), a.AsSpan((col + 1) * width, width));
                c[(r + 1) * rows + col] = -Dot(a.AsSpan((r + 1) * width, width), a.AsSpan(col * width, width));
                c[(r + 1) * rows + col + 1] = -Dot(a.AsSpan((r + 1) * width, width), a.AsSpan((col + 1) * width, width));
            }
        }
    }

    private static void Gram4x2(double[] a, int width, int r, int col, double[] c, int rows)
    {
        ref var a0 = ref a[r * width];
        ref var a1 = ref a[(r + 1) * width];
        ref var a2 = ref a[(r + 2) * width];
        ref var a3 = ref a[(r + 3) * width];
        ref var b0 = ref a[col * width];
        ref var b1 = ref a[(col + 1) * width];
        var w = Vector<double>.Count;
        Vector<double> s00 = default, s01 = default, s10 = default, s11 = default;
        Vector<double> s20 = default, s21 = default, s30 = default, s31 = default;
        var k = 0;
        for (; k <= width - w; k += w)
        {
            var x0 = Vector.LoadUnsafe(ref b0, (nuint)k);
            var x1 = Vector.LoadUnsafe(ref b1, (nuint)k);
            var y = Vector.LoadUnsafe(ref a0, (nuint)k);
            s00 += y * x0;
            s01 += y * x1;
            y = Vector.LoadUnsafe(ref a1, (nuint)k);
            s10 += y * x0;
            s11 += y * x1;
            y = Vector.LoadUnsafe(ref a2, (nuint)k);
            s20 += y * x0;
            s21 += y * x1;
            y = Vector.LoadUnsafe(ref a3, (nuint)k);
            s30 += y * x0;
            s31 += y * x1;
        }

        double t00 = Vector.Sum(s00), t01 = Vector.Sum(s01), t10 = Vector.Sum(s10), t11 = Vector.Sum(s11);
        double t20 = Vector.Sum(s20), t21 = Vector.Sum(s21), t30 = Vector.Sum(s30), t31 = Vector.Sum(s31);
        for (; k < width; k++)
        {
            double x0 = Unsafe.Add(ref b0, k), x1 = Unsafe.Add(ref b1, k);
            t00 += Unsafe.Add(ref a0, k) * x0;
            t01 += Unsafe.Add(ref a0, k) * x1;
            t10 += Unsafe.Add(ref a1, k) * x0;
            t11 += Unsafe.Add(ref a1, k) * x1;
            t20 += Unsafe.Add(ref a2, k) * x0;
            t21 += Unsafe.Add(ref a2, k) * x1;
            t30 += Unsafe.Add(ref a3, k) * x0;
            t31 += Unsafe.Add(ref a3, k) * x1;
        }

        c[r * rows + col] = -t00;
        c[r * rows + col + 1] = -t01;
        c[(r + 1) * rows + col] = -t10;
        c[(r + 1) * rows + col + 1] = -t11;
        c[(r + 2) * rows + col] = -t20;
        c[(r + 2) * rows + col + 1] = -t21;
        c[(r + 3) * rows + col] = -t30;
        c[(r + 3) * rows + col + 1] = -t31;
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
