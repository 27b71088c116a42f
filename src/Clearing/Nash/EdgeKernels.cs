using System.Numerics;
using System.Runtime.InteropServices;

namespace V2V.Clearing.Nash;

/// <summary>
/// SIMD loops over one outer participant's row of edges (contiguous over the inner participants): the inner loops
/// of the Newton solves and of the exact Newton operator. Each returns the row's sums and adds the per-edge terms
/// into the inner participants' columns. The interior point step's own loops are in <see cref="StepKernels"/>.
/// A row is contiguous over every inner participant (the dense layout) unless <c>columns</c> is given: then slot l of
/// the row belongs to inner participant columns[l] (the compressed rows of <see cref="EdgeRows"/>), and the loop is scalar.
/// The Schur complement's own passes (SubtractProjection, Projection) only ever run on dense rows.
/// </summary>
internal static class EdgeKernels
{
    /// <summary>a = w r, b = a g per edge: col0 += b, col1 += a; returns (sum b, sum a).</summary>
    public static (double SumB, double SumA) WeightedSums(
        ReadOnlySpan<double> w, ReadOnlySpan<double> r, ReadOnlySpan<double> g, Span<double> col0, Span<double> col1,
        ReadOnlySpan<int> columns = default)
    {
        if (!columns.IsEmpty)
        {
            double sb0 = 0, sa0 = 0;
            for (var l = 0; l < columns.Length; l++)
            {
                var a = w[l] * r[l];
                var b = a * g[l];
                sa0 += a;
                sb0 += b;
                col0[columns[l]] += b;
                col1[columns[l]] += a;
            }

            return (sb0, sa0);
        }

        var n = w.Length;
        var width = Vector<double>.Count;
        ref var rw = ref MemoryMarshal.GetReference(w);
        ref var rr = ref MemoryMarshal.GetReference(r);
        ref var rg = ref MemoryMarshal.GetReference(g);
        ref var c0 = ref MemoryMarshal.GetReference(col0);
        ref var c1 = ref MemoryMarshal.GetReference(col1);
        Vector<double> sb = default, sa = default;
        var i = 0;
        for (; i <= n - width; i += width)
        {
            var a = Vector.LoadUnsafe(ref rw, (nuint)i) * Vector.LoadUnsafe(ref rr, (nuint)i);
            var b = a * Vector.LoadUnsafe(ref rg, (nuint)i);
            sa += a;
            sb += b;
            (Vector.LoadUnsafe(ref c0, (nuint)i) + b).StoreUnsafe(ref c0, (nuint)i);
            (Vector.LoadUnsafe(ref c1, (nuint)i) + a).StoreUnsafe(ref c1, (nuint)i);
        }

        double sumB = Vector.Sum(sb), sumA = Vector.Sum(sa);
        for (; i < n; i++)
        {
            var a = w[i] * r[i];
            var b = a * g[i];
            sumA += a;
            sumB += b;
            col0[i] += b;
            col1[i] += a;
        }

        return (sumB, sumA);
    }

    /// <summary>
    /// The blocks w (g, 1)^T (g, 1) per edge: col11 += w g^2, col12 += w g, col22 += w; returns the row's sums of the same.
    /// </summary>
    public static (double S11, double S12, double S22) BlockSums(
        ReadOnlySpan<double> w, ReadOnlySpan<double> g, Span<double> col11, Span<double> col12, Span<double> col22,
        ReadOnlySpan<int> columns = default)
    {
        if (!columns.IsEmpty)
        {
            double t11 = 0, t12 = 0, t22 = 0;
            for (var l = 0; l < columns.Length; l++)
            {
                double wg = w[l] * g[l], wgg = wg * g[l];
                t11 += wgg;
                t12 += wg;
                t22 += w[l];
                var k = columns[l];
                col11[k] += wgg;
                col12[k] += wg;
                col22[k] += w[l];
            }

            return (t11, t12, t22);
        }

        var n = w.Length;
        var width = Vector<double>.Count;
        ref var rw = ref MemoryMarshal.GetReference(w);
        ref var rg = ref MemoryMarshal.GetReference(g);
        ref var c11 = ref MemoryMarshal.GetReference(col11);
        ref var c12 = ref MemoryMarshal.GetReference(col12);
        ref var c22 = ref MemoryMarshal.GetReference(col22);
        Vector<double> v11 = default, v12 = default, v22 = default;
        var i = 0;
        for (; i <= n - width; i += width)
        {
            var we = Vector.LoadUnsafe(ref rw, (nuint)i);
            var ge = Vector.LoadUnsafe(ref rg, (nuint)i);
            var wg = we * ge;
            var wgg = wg * ge;
            v11 += wgg;
            v12 += wg;
            v22 += we;
            (Vector.LoadUnsafe(ref c11, (nuint)i) + wgg).StoreUnsafe(ref c11, (nuint)i);
            (Vector.LoadUnsafe(ref c12, (nuint)i) + wg).StoreUnsafe(ref c12, (nuint)i);
            (Vector.LoadUnsafe(ref c22, (nuint)i) + we).StoreUnsafe(ref c22, (nuint)i);
        }

        double s11 = Vector.Sum(v11), s12 = Vector.Sum(v12), s22 = Vector.Sum(v22);
        for (; i < n; i++)
        {
            double wg = w[i] * g[i], wgg = wg * g[i];
            s11 += wgg;
            s12 += wg;
            s22 += w[i];
            col11[i] += wgg;
            col12[i] += wg;
            col22[i] += w[i];
        }

        return (s11, s12, s22);
    }

    /// <summary>t = w (g v0 + v1) per edge: col0 -= t g, col1 -= t.</summary>
    public static void SubtractProjection(
        ReadOnlySpan<double> w, ReadOnlySpan<double> g, double v0, double v1, Span<double> col0, Span<double> col1)
    {
        var n = w.Length;
        var width = Vector<double>.Count;
        ref var rw = ref MemoryMarshal.GetReference(w);
        ref var rg = ref MemoryMarshal.GetReference(g);
        ref var c0 = ref MemoryMarshal.GetReference(col0);
        ref var c1 = ref MemoryMarshal.GetReference(col1);
        var vv0 = new Vector<double>(v0);
        var vv1 = new Vector<double>(v1);
        var i = 0;
        for (; i <= n - width; i += width)
        {
            var ge = Vector.LoadUnsafe(ref rg, (nuint)i);
            var t = Vector.LoadUnsafe(ref rw, (nuint)i) * (ge * vv0 + vv1);
            (Vector.LoadUnsafe(ref c0, (nuint)i) - t * ge).StoreUnsafe(ref c0, (nuint)i);
            (Vector.LoadUnsafe(ref c1, (nuint)i) - t).StoreUnsafe(ref c1, (nuint)i);
        }

        for (; i < n; i++)
        {
            var t = w[i] * (g[i] * v0 + v1);
            col0[i] -= t * g[i];
            col1[i] -= t;
        }
    }

    /// <summary>t = w (g x0 + x1) per edge; returns (sum t g, sum t).</summary>
    public static (double SumTg, double SumT) Projection(
        ReadOnlySpan<double> w, ReadOnlySpan<double> g, ReadOnlySpan<double> x0, ReadOnlySpan<double> x1)
    {
        var n = w.Length;
        var width = Vector<double>.Count;
        ref var rw = ref MemoryMarshal.GetReference(w);
        ref var rg = ref MemoryMarshal.GetReference(g);
        ref var r0 = ref MemoryMarshal.GetReference(x0);
        ref var r1 = ref MemoryMarshal.GetReference(x1);
        Vector<double> stg = default, st = default;
        var i = 0;
        for (; i <= n - width; i += width)
        {
            var ge = Vector.LoadUnsafe(ref rg, (nuint)i);
            var t = Vector.LoadUnsafe(ref rw, (nuint)i) * (ge * Vector.LoadUnsafe(ref r0, (nuint)i) + Vector.LoadUnsafe(ref r1, (nuint)i));
            stg += t * ge;
            st += t;
        }

        double sumTg = Vector.Sum(stg), sumT = Vector.Sum(st);
        for (; i < n; i++)
        {
            var t = w[i] * (g[i] * x0[i] + x1[i]);
            sumTg += t * g[i];
            sumT += t;
        }

        return (sumTg, sumT);
    }

    /// <summary>out = w (r - g (a0 + col0) - (a1 + col1)) per edge.</summary>
    public static void BackSubstitute(
        ReadOnlySpan<double> w, ReadOnlySpan<double> r, ReadOnlySpan<double> g, double a0, double a1,
        ReadOnlySpan<double> col0, ReadOnlySpan<double> col1, Span<double> result, ReadOnlySpan<int> columns = default)
    {
        if (!columns.IsEmpty)
        {
            for (var l = 0; l < columns.Length; l++)
            {
                result[l] = w[l] * (r[l] - g[l] * (a0 + col0[columns[l]]) - (a1 + col1[columns[l]]));
            }

            return;
        }

        var n = w.Length;
        var width = Vector<double>.Count;
        ref var rw = ref MemoryMarshal.GetReference(w);
        ref var rr = ref MemoryMarshal.GetReference(r);
        ref var rg = ref MemoryMarshal.GetReference(g);
        ref var c0 = ref MemoryMarshal.GetReference(col0);
        ref var c1 = ref MemoryMarshal.GetReference(col1);
        ref var ro = ref MemoryMarshal.GetReference(result);
        var va0 = new Vector<double>(a0);
        var va1 = new Vector<double>(a1);
        var i = 0;
        for (; i <= n - width; i += width)
        {
            var v = Vector.LoadUnsafe(ref rw, (nuint)i) * (Vector.LoadUnsafe(ref rr, (nuint)i)
                - Vector.LoadUnsafe(ref rg, (nuint)i) * (va0 + Vector.LoadUnsafe(ref c0, (nuint)i))
                - (va1 + Vector.LoadUnsafe(ref c1, (nuint)i)));
            v.StoreUnsafe(ref ro, (nuint)i);
        }

        for (; i < n; i++)
        {
            result[i] = w[i] * (r[i] - g[i] * (a0 + col0[i]) - (a1 + col1[i]));
        }
    }

    /// <summary>col += x; returns sum x.</summary>
    public static double RowSum(ReadOnlySpan<double> x, Span<double> col, ReadOnlySpan<int> columns = default)
    {
        if (!columns.IsEmpty)
        {
            double sum0 = 0;
            for (var l = 0; l < columns.Length; l++)
            {
                sum0 += x[l];
                col[columns[l]] += x[l];
            }

            return sum0;
        }

        var n = x.Length;
        var width = Vector<double>.Count;
        ref var rx = ref MemoryMarshal.GetReference(x);
        ref var rc = ref MemoryMarshal.GetReference(col);
        Vector<double> sum = default;
        var i = 0;
        for (; i <= n - width; i += width)
        {
            var v = Vector.LoadUnsafe(ref rx, (nuint)i);
            sum += v;
            (Vector.LoadUnsafe(ref rc, (nuint)i) + v).StoreUnsafe(ref rc, (nuint)i);
        }

        var total = Vector.Sum(sum);
        for (; i < n; i++)
        {
            total += x[i];
            col[i] += x[i];
        }

        return total;
    }

    /// <summary>
    /// result = edge (g (b0 + colB) + d x + (y0 + colY)) per edge, where edge is 1 on an edge and 0 elsewhere:
    /// one row of the exact Newton operator (H + D) dq + A^T dy.
    /// </summary>
    public static void OperatorRow(
        ReadOnlySpan<double> edge, ReadOnlySpan<double> g, ReadOnlySpan<double> d, ReadOnlySpan<double> x,
        double b0, double y0, ReadOnlySpan<double> colB, ReadOnlySpan<double> colY, Span<double> result,
        ReadOnlySpan<int> columns = default)
    {
        if (!columns.IsEmpty)
        {
            for (var l = 0; l < columns.Length; l++)
            {
                var c = columns[l];
                result[l] = edge[l] * (g[l] * (b0 + colB[c]) + d[l] * x[l] + y0 + colY[c]);
            }

            return;
        }

        var n = x.Length;
        var width = Vector<double>.Count;
        ref var re = ref MemoryMarshal.GetReference(edge);
        ref var rg = ref MemoryMarshal.GetReference(g);
        ref var rd = ref MemoryMarshal.GetReference(d);
        ref var rx = ref MemoryMarshal.GetReference(x);
        ref var cb = ref MemoryMarshal.GetReference(colB);
        ref var cy = ref MemoryMarshal.GetReference(colY);
        ref var ro = ref MemoryMarshal.GetReference(result);
        var vb = new Vector<double>(b0);
        var vy = new Vector<double>(y0);
        var i = 0;
        for (; i <= n - width; i += width)
        {
            var v = Vector.LoadUnsafe(ref rg, (nuint)i) * (vb + Vector.LoadUnsafe(ref cb, (nuint)i))
                + Vector.LoadUnsafe(ref rd, (nuint)i) * Vector.LoadUnsafe(ref rx, (nuint)i)
                + vy + Vector.LoadUnsafe(ref cy, (nuint)i);
            (Vector.LoadUnsafe(ref re, (nuint)i) * v).StoreUnsafe(ref ro, (nuint)i);
        }

        for (; i < n; i++)
        {
            result[i] = edge[i] * (g[i] * (b0 + colB[i]) + d[i] * x[i] + y0 + colY[i]);
        }
    }

    /// <summary>col += g x; returns sum g x.</summary>
    public static double ProductRowSum(ReadOnlySpan<double> g, ReadOnlySpan<double> x, Span<double> col, ReadOnlySpan<int> columns = default)
    {
        if (!columns.IsEmpty)
        {
            double sum0 = 0;
            for (var l = 0; l < columns.Length; l++)
            {
                var v = g[l] * x[l];
                sum0 += v;
                col[columns[l]] += v;
            }

            return sum0;
        }

        var n = x.Length;
        var width = Vector<double>.Count;
        ref var rg = ref MemoryMarshal.GetReference(g);
        ref var rx = ref MemoryMarshal.GetReference(x);
        ref var rc = ref MemoryMarshal.GetReference(col);
        Vector<double> sum = default;
        var i = 0;
        for (; i <= n - width; i += width)
        {
            var v = Vector.LoadUnsafe(ref rg, (nuint)i) * Vector.LoadUnsafe(ref rx, (nuint)i);
            sum += v;
            (Vector.LoadUnsafe(ref rc, (nuint)i) + v).StoreUnsafe(ref rc, (nuint)i);
        }

        var total = Vector.Sum(sum);
        for (; i < n; i++)
        {
            var v = g[i] * x[i];
            total += v;
            col[i] += v;
        }

        return total;
    }
}
