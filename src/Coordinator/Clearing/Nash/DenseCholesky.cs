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
    public static int Factor(Span<double> a, int n)
    {
        var pinned = 0;
        for (var r = 0; r < n; r++)
        {
            var rowR = a.Slice(r * n, n);
            for (var c = 0; c < r; c++)
            {
                var rowC = a.Slice(c * n, c);
                rowR[c] = (rowR[c] - Dot(rowR[..c], rowC)) / a[c * n + c];
            }

            var diag = rowR[r];
            var d = diag - Dot(rowR[..r], rowR[..r]);
            if (!(d > PivotTolerance * Math.Abs(diag)))
            {
                d = HugePivot;
                pinned++;
            }

            rowR[r] = Math.Sqrt(d);
        }

        return pinned;
    }

    /// <summary>Solves L L^T x = b in place (b becomes x).</summary>
    public static void Solve(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        for (var r = 0; r < n; r++)
        {
            b[r] = (b[r] - Dot(l.Slice(r * n, r), b[..r])) / l[r * n + r];
        }

        // Back substitution by columns of L^T = rows of L, so memory is read contiguously.
        for (var r = n - 1; r >= 0; r--)
        {
            var x = b[r] / l[r * n + r];
            b[r] = x;
            Axpy(-x, l.Slice(r * n, r), b[..r]);
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
