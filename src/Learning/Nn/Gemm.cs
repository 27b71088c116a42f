using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace V2V.Learning.Nn;

/// <summary>
/// The two matrix products a dense layer needs, on row-major contiguous spans, accumulating into C.
/// Register-blocked for Vector256 (4 rows x 2 vectors of accumulators); plain loops cover the edges and
/// machines without SIMD. Generic over float/double so the gradient checks run this very code in float64.
/// </summary>
internal static class Gemm
{
    private const int RowBlock = 4;

    /// <summary>
    /// C[m,n] += A[m,k] B[k,n]. A is addressed with strides: element (i,p) is a[i*aRowStride + p*aColStride],
    /// so the same kernel computes X W (strides k,1) and X^T dZ (strides 1,m) without a transpose copy.
    /// B and C are dense row-major.
    /// </summary>
    public static void AccumulateAB<T>(
        ReadOnlySpan<T> a, int aRowStride, int aColStride, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0 || k == 0)
        {
            return;
        }

        if (a.Length < ((m - 1) * aRowStride) + ((k - 1) * aColStride) + 1 || b.Length < k * n || c.Length < m * n)
        {
            throw new ArgumentException($"buffers too small for a {m}x{k} by {k}x{n} product");
        }

        ref T aRef = ref MemoryMarshal.GetReference(a);
        ref T bRef = ref MemoryMarshal.GetReference(b);
        ref T cRef = ref MemoryMarshal.GetReference(c);
        int j = 0;
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            int w = Vector256<T>.Count;
            // Column panel outermost: the k x 2w panel of B stays in L1 while every row block of A streams past it.
            for (; j + (2 * w) <= n; j += 2 * w)
            {
                int i = 0;
                for (; i + RowBlock <= m; i += RowBlock)
                {
                    Kernel4x2(ref aRef, aRowStride, aColStride, ref bRef, ref cRef, i, j, k, n);
                }

                for (; i < m; i++)
                {
                    Kernel1x2(ref aRef, aRowStride, aColStride, ref bRef, ref cRef, i, j, k, n);
                }
            }
        }

        if (j < n)
        {
            EdgeColumns(ref aRef, aRowStride, aColStride, ref bRef, ref cRef, j, m, k, n);
        }
    }

    /// <summary>C[m,n] += A[m,k] B[n,k]^T: every element is a dot product of two contiguous rows (dX = dZ W^T).</summary>
    public static void AccumulateABt<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0 || k == 0)
        {
            return;
        }

        if (a.Length < m * k || b.Length < n * k || c.Length < m * n)
        {
            throw new ArgumentException($"buffers too small for a {m}x{k} by ({n}x{k})^T product");
        }

        int i = 0;
        int jEnd = n;
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported && k >= Vector256<T>.Count)
        {
            jEnd = n - (n % 2);
            for (; i + RowBlock <= m; i += RowBlock)
            {
                for (int j = 0; j < jEnd; j += 2)
                {
                    DotKernel4x2(a, b, c, i, j, k, n);
                }
            }
        }

        // Edges: rows not covered by a 4-row block, and the odd last column of the covered rows.
        for (int r = 0; r < m; r++)
        {
            int jStart = r < i ? jEnd : 0;
            ReadOnlySpan<T> aRow = a.Slice(r * k, k);
            for (int j = jStart; j < n; j++)
            {
                c[(r * n) + j] += TensorPrimitives.Dot(aRow, b.Slice(j * k, k));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma<T>(Vector256<T> x, Vector256<T> y, Vector256<T> acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // typeof(T) tests are folded by the JIT per instantiation; fused multiply-add halves the instruction count.
        if (typeof(T) == typeof(float))
        {
            return Vector256.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        }

        if (typeof(T) == typeof(double))
        {
            return Vector256.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
        }

        return (x * y) + acc;
    }

    private static void Kernel4x2<T>(
        ref T a, int rs, int cs, ref T b, ref T c, int i, int j, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        nuint c0 = (nuint)((i * n) + j);
        nuint c1 = c0 + (nuint)n;
        nuint c2 = c1 + (nuint)n;
        nuint c3 = c2 + (nuint)n;
        var acc00 = Vector256.LoadUnsafe(ref c, c0);
        var acc01 = Vector256.LoadUnsafe(ref c, c0 + (nuint)w);
        var acc10 = Vector256.LoadUnsafe(ref c, c1);
        var acc11 = Vector256.LoadUnsafe(ref c, c1 + (nuint)w);
        var acc20 = Vector256.LoadUnsafe(ref c, c2);
        var acc21 = Vector256.LoadUnsafe(ref c, c2 + (nuint)w);
        var acc30 = Vector256.LoadUnsafe(ref c, c3);
        var acc31 = Vector256.LoadUnsafe(ref c, c3 + (nuint)w);
        int aIndex = i * rs;
        nuint bIndex = (nuint)j;
        for (int p = 0; p < k; p++, aIndex += cs, bIndex += (nuint)n)
        {
            var b0 = Vector256.LoadUnsafe(ref b, bIndex);
            var b1 = Vector256.LoadUnsafe(ref b, bIndex + (nuint)w);
            var a0 = Vector256.Create(Unsafe.Add(ref a, aIndex));
            acc00 = Fma(a0, b0, acc00);
            acc01 = Fma(a0, b1, acc01);
            var a1 = Vector256.Create(Unsafe.Add(ref a, aIndex + rs));
            acc10 = Fma(a1, b0, acc10);
            acc11 = Fma(a1, b1, acc11);
            var a2 = Vector256.Create(Unsafe.Add(ref a, aIndex + (2 * rs)));
            acc20 = Fma(a2, b0, acc20);
            acc21 = Fma(a2, b1, acc21);
            var a3 = Vector256.Create(Unsafe.Add(ref a, aIndex + (3 * rs)));
            acc30 = Fma(a3, b0, acc30);
            acc31 = Fma(a3, b1, acc31);
        }

        acc00.StoreUnsafe(ref c, c0);
        acc01.StoreUnsafe(ref c, c0 + (nuint)w);
        acc10.StoreUnsafe(ref c, c1);
        acc11.StoreUnsafe(ref c, c1 + (nuint)w);
        acc20.StoreUnsafe(ref c, c2);
        acc21.StoreUnsafe(ref c, c2 + (nuint)w);
        acc30.StoreUnsafe(ref c, c3);
        acc31.StoreUnsafe(ref c, c3 + (nuint)w);
    }

    private static void Kernel1x2<T>(
        ref T a, int rs, int cs, ref T b, ref T c, int i, int j, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        nuint c0 = (nuint)((i * n) + j);
        var acc0 = Vector256.LoadUnsafe(ref c, c0);
        var acc1 = Vector256.LoadUnsafe(ref c, c0 + (nuint)w);
        int aIndex = i * rs;
        nuint bIndex = (nuint)j;
        for (int p = 0; p < k; p++, aIndex += cs, bIndex += (nuint)n)
        {
            var a0 = Vector256.Create(Unsafe.Add(ref a, aIndex));
            acc0 = Fma(a0, Vector256.LoadUnsafe(ref b, bIndex), acc0);
            acc1 = Fma(a0, Vector256.LoadUnsafe(ref b, bIndex + (nuint)w), acc1);
        }

        acc0.StoreUnsafe(ref c, c0);
        acc1.StoreUnsafe(ref c, c0 + (nuint)w);
    }

    // Columns [j0, n): narrow outputs (a 1- or 2-wide final layer) or the part of a wide one the panels missed.
    private static void EdgeColumns<T>(
        ref T a, int rs, int cs, ref T b, ref T c, int j0, int m, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            int cRow = i * n;
            for (int p = 0; p < k; p++)
            {
                T aip = Unsafe.Add(ref a, (i * rs) + (p * cs));
                int bRow = p * n;
                for (int j = j0; j < n; j++)
                {
                    ref T cij = ref Unsafe.Add(ref c, cRow + j);
                    cij += aip * Unsafe.Add(ref b, bRow + j);
                }
            }
        }
    }

    private static void DotKernel4x2<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int i, int j, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        ref T a0 = ref MemoryMarshal.GetReference(a.Slice(i * k));
        ref T a1 = ref Unsafe.Add(ref a0, k);
        ref T a2 = ref Unsafe.Add(ref a1, k);
        ref T a3 = ref Unsafe.Add(ref a2, k);
        ref T b0 = ref MemoryMarshal.GetReference(b.Slice(j * k));
        ref T b1 = ref Unsafe.Add(ref b0, k);
        Vector256<T> s00 = default, s01 = default, s10 = default, s11 = default;
        Vector256<T> s20 = default, s21 = default, s30 = default, s31 = default;
        int p = 0;
        for (; p + w <= k; p += w)
        {
            var vb0 = Vector256.LoadUnsafe(ref b0, (nuint)p);
            var vb1 = Vector256.LoadUnsafe(ref b1, (nuint)p);
            var va = Vector256.LoadUnsafe(ref a0, (nuint)p);
            s00 = Fma(va, vb0, s00);
            s01 = Fma(va, vb1, s01);
            va = Vector256.LoadUnsafe(ref a1, (nuint)p);
            s10 = Fma(va, vb0, s10);
            s11 = Fma(va, vb1, s11);
            va = Vector256.LoadUnsafe(ref a2, (nuint)p);
            s20 = Fma(va, vb0, s20);
            s21 = Fma(va, vb1, s21);
            va = Vector256.LoadUnsafe(ref a3, (nuint)p);
            s30 = Fma(va, vb0, s30);
            s31 = Fma(va, vb1, s31);
        }

        T t00 = Vector256.Sum(s00), t01 = Vector256.Sum(s01), t10 = Vector256.Sum(s10), t11 = Vector256.Sum(s11);
        T t20 = Vector256.Sum(s20), t21 = Vector256.Sum(s21), t30 = Vector256.Sum(s30), t31 = Vector256.Sum(s31);
        for (; p < k; p++)
        {
            T vb0 = Unsafe.Add(ref b0, p);
            T vb1 = Unsafe.Add(ref b1, p);
            t00 += Unsafe.Add(ref a0, p) * vb0;
            t01 += Unsafe.Add(ref a0, p) * vb1;
            t10 += Unsafe.Add(ref a1, p) * vb0;
            t11 += Unsafe.Add(ref a1, p) * vb1;
            t20 += Unsafe.Add(ref a2, p) * vb0;
            t21 += Unsafe.Add(ref a2, p) * vb1;
            t30 += Unsafe.Add(ref a3, p) * vb0;
            t31 += Unsafe.Add(ref a3, p) * vb1;
        }

        int c0 = (i * n) + j;
        c[c0] += t00;
        c[c0 + 1] += t01;
        c[c0 + n] += t10;
        c[c0 + n + 1] += t11;
        c[c0 + (2 * n)] += t20;
        c[c0 + (2 * n) + 1] += t21;
        c[c0 + (3 * n)] += t30;
        c[c0 + (3 * n) + 1] += t31;
    }
}
