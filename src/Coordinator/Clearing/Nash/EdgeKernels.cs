using System.Numerics;
using System.Runtime.InteropServices;

namespace V2V.Coordinator.Clearing.Nash;

/// <summary>
/// SIMD loops over one outer participant's row of edges (contiguous over the inner participants), the inner
/// loops of the Newton solves and the interior point step. Each returns the row's sums and adds the per-edge
/// terms into the inner participants' columns.
/// </summary>
internal static class EdgeKernels
{
    /// <summary>a = w r, b = a g per edge: col0 += b, col1 += a; returns (sum b, sum a).</summary>
    public static (double SumB, double SumA) WeightedSums(
        ReadOnlySpan<double> w, ReadOnlySpan<double> r, ReadOnlySpan<double> g, Span<double> col0, Span<double> col1)
    {
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

    /// <summary>b = g x per edge: col0 += b, col1 += x; returns (sum b, sum x).</summary>
    public static (double SumB, double SumX) Sums(
        ReadOnlySpan<double> x, ReadOnlySpan<double> g, Span<double> col0, Span<double> col1)
    {
        var n = x.Length;
        var width = Vector<double>.Count;
        ref var rx = ref MemoryMarshal.GetReference(x);
        ref var rg = ref MemoryMarshal.GetReference(g);
        ref var c0 = ref MemoryMarshal.GetReference(col0);
        ref var c1 = ref MemoryMarshal.GetReference(col1);
        Vector<double> sb = default, sx = default;
        var i = 0;
        for (; i <= n - width; i += width)
        {
            var a = Vector.LoadUnsafe(ref rx, (nuint)i);
            var b = a * Vector.LoadUnsafe(ref rg, (nuint)i);
            sx += a;
            sb += b;
            (Vector.LoadUnsafe(ref c0, (nuint)i) + b).StoreUnsafe(ref c0, (nuint)i);
            (Vector.LoadUnsafe(ref c1, (nuint)i) + a).StoreUnsafe(ref c1, (nuint)i);
        }

        double sumB = Vector.Sum(sb), sumX = Vector.Sum(sx);
        for (; i < n; i++)
        {
            var b = x[i] * g[i];
            sumX += x[i];
            sumB += b;
            col0[i] += b;
            col1[i] += x[i];
        }

        return (sumB, sumX);
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
        ReadOnlySpan<double> col0, ReadOnlySpan<double> col1, Span<double> result)
    {
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

    /// <summary>Largest alpha &lt;= limit with value + alpha step &gt;= 0 for every entry.</summary>
    public static double StepLimit(ReadOnlySpan<double> value, ReadOnlySpan<double> step, double limit)
    {
        var n = value.Length;
        var width = Vector<double>.Count;
        ref var rv = ref MemoryMarshal.GetReference(value);
        ref var rs = ref MemoryMarshal.GetReference(step);
        var best = new Vector<double>(limit);
        var i = 0;
        for (; i <= n - width; i += width)
        {
            var d = Vector.LoadUnsafe(ref rs, (nuint)i);
            var ratio = -Vector.LoadUnsafe(ref rv, (nuint)i) / d;
            best = Vector.ConditionalSelect(Vector.LessThan(d, Vector<double>.Zero), Vector.Min(best, ratio), best);
        }

        var alpha = limit;
        for (var l = 0; l < width; l++)
        {
            alpha = Math.Min(alpha, best[l]);
        }

        for (; i < n; i++)
        {
            if (step[i] < 0)
            {
                alpha = Math.Min(alpha, -value[i] / step[i]);
            }
        }

        return alpha;
    }

    /// <summary>col += x; returns sum x.</summary>
    public static double RowSum(ReadOnlySpan<double> x, Span<double> col)
    {
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
        double b0, double y0, ReadOnlySpan<double> colB, ReadOnlySpan<double> colY, Span<double> result)
    {
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
    public static double ProductRowSum(ReadOnlySpan<double> g, ReadOnlySpan<double> x, Span<double> col)
    {
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

    /// <summary>
    /// The per-edge quantities of one interior point iteration for one row: on edges (edge = 1) the dual residual
    /// rd = y_o + y_i - g (pi_o + pi_i) - z, 1/q, z/q and the capped weight min(q/z, cap); 0 off edges. Returns the
    /// row's complementarity sum q z and whether any weight exceeded the cap.
    /// </summary>
    public static (double Complementarity, bool Capped) IterationRow(
        ReadOnlySpan<double> edge, ReadOnlySpan<double> g, ReadOnlySpan<double> q, ReadOnlySpan<double> z,
        double yOuter, double piOuter, ReadOnlySpan<double> yInner, ReadOnlySpan<double> piInner, double cap,
        Span<double> rd, Span<double> invQ, Span<double> zOverQ, Span<double> invD)
    {
        var n = q.Length;
        var width = Vector<double>.Count;
        ref var re = ref MemoryMarshal.GetReference(edge);
        ref var rg = ref MemoryMarshal.GetReference(g);
        ref var rq = ref MemoryMarshal.GetReference(q);
        ref var rz = ref MemoryMarshal.GetReference(z);
        ref var ry = ref MemoryMarshal.GetReference(yInner);
        ref var rp = ref MemoryMarshal.GetReference(piInner);
        ref var ord = ref MemoryMarshal.GetReference(rd);
        ref var oiq = ref MemoryMarshal.GetReference(invQ);
        ref var ozq = ref MemoryMarshal.GetReference(zOverQ);
        ref var oid = ref MemoryMarshal.GetReference(invD);
        var vy = new Vector<double>(yOuter);
        var vp = new Vector<double>(piOuter);
        var vcap = new Vector<double>(cap);
        var one = Vector<double>.One;
        Vector<double> compl = default;
        var cappedAny = false;
        var i = 0;
        for (; i <= n - width; i += width)
        {
            var e = Vector.LoadUnsafe(ref re, (nuint)i);
            var isEdge = Vector.GreaterThan(e, Vector<double>.Zero);
            var qv = Vector.LoadUnsafe(ref rq, (nuint)i);
            var zv = Vector.LoadUnsafe(ref rz, (nuint)i);
            var residual = vy + Vector.LoadUnsafe(ref ry, (nuint)i) - Vector.LoadUnsafe(ref rg, (nuint)i) * (vp + Vector.LoadUnsafe(ref rp, (nuint)i)) - zv;
            (e * residual).StoreUnsafe(ref ord, (nuint)i);
            var reciprocal = Vector.ConditionalSelect(isEdge, one / qv, Vector<double>.Zero);
            reciprocal.StoreUnsafe(ref oiq, (nuint)i);
            (zv * reciprocal).StoreUnsafe(ref ozq, (nuint)i);
            var weight = Vector.ConditionalSelect(isEdge, qv / zv, Vector<double>.Zero);
            cappedAny |= Vector.GreaterThanAny(weight, vcap);
            Vector.Min(weight, vcap).StoreUnsafe(ref oid, (nuint)i);
            compl += qv * zv;
        }

        var complementarity = Vector.Sum(compl);
        for (; i < n; i++)
        {
            if (edge[i] > 0)
            {
                rd[i] = yOuter + yInner[i] - g[i] * (piOuter + piInner[i]) - z[i];
                invQ[i] = 1 / q[i];
                zOverQ[i] = z[i] * invQ[i];
                var weight = q[i] / z[i];
                cappedAny |= weight > cap;
                invD[i] = Math.Min(weight, cap);
                complementarity += q[i] * z[i];
            }
            else
            {
                rd[i] = invQ[i] = zOverQ[i] = invD[i] = 0;
            }
        }

        return (complementarity, cappedAny);
    }

    /// <summary>sum over entries of (a + alpha da) (b + alpha db).</summary>
    public static double StepProducts(ReadOnlySpan<double> a, ReadOnlySpan<double> da, ReadOnlySpan<double> b, ReadOnlySpan<double> db, double alpha)
    {
        var n = a.Length;
        var width = Vector<double>.Count;
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rda = ref MemoryMarshal.GetReference(da);
        ref var rb = ref MemoryMarshal.GetReference(b);
        ref var rdb = ref MemoryMarshal.GetReference(db);
        var va = new Vector<double>(alpha);
        Vector<double> sum = default;
        var i = 0;
        for (; i <= n - width; i += width)
        {
            sum += (Vector.LoadUnsafe(ref ra, (nuint)i) + va * Vector.LoadUnsafe(ref rda, (nuint)i))
                * (Vector.LoadUnsafe(ref rb, (nuint)i) + va * Vector.LoadUnsafe(ref rdb, (nuint)i));
        }

        var total = Vector.Sum(sum);
        for (; i < n; i++)
        {
            total += (a[i] + alpha * da[i]) * (b[i] + alpha * db[i]);
        }

        return total;
    }

    /// <summary>
    /// The corrector's edge quantities: r1 = -rd - z + (target - dqAff dzAff) / q (right-hand side, when dq is
    /// empty) or the dual step dz = (target - dqAff dzAff - z dq) / q - z (when dq is given). 1/q is 0 off edges,
    /// where rd and z are 0 too, so both are 0 there.
    /// </summary>
    public static void Corrector(
        double target, ReadOnlySpan<double> rd, ReadOnlySpan<double> z, ReadOnlySpan<double> invQ,
        ReadOnlySpan<double> dqAff, ReadOnlySpan<double> dzAff, ReadOnlySpan<double> dq, Span<double> result)
    {
        var n = z.Length;
        var width = Vector<double>.Count;
        var withStep = !dq.IsEmpty;
        ref var rrd = ref MemoryMarshal.GetReference(rd);
        ref var rz = ref MemoryMarshal.GetReference(z);
        ref var riq = ref MemoryMarshal.GetReference(invQ);
        ref var rqa = ref MemoryMarshal.GetReference(dqAff);
        ref var rza = ref MemoryMarshal.GetReference(dzAff);
        ref var rdq = ref MemoryMarshal.GetReference(dq);
        ref var ro = ref MemoryMarshal.GetReference(result);
        var vt = new Vector<double>(target);
        var i = 0;
        for (; i <= n - width; i += width)
        {
            var zv = Vector.LoadUnsafe(ref rz, (nuint)i);
            var centring = vt - Vector.LoadUnsafe(ref rqa, (nuint)i) * Vector.LoadUnsafe(ref rza, (nuint)i);
            var v = withStep
                ? (centring - zv * Vector.LoadUnsafe(ref rdq, (nuint)i)) * Vector.LoadUnsafe(ref riq, (nuint)i) - zv
                : centring * Vector.LoadUnsafe(ref riq, (nuint)i) - Vector.LoadUnsafe(ref rrd, (nuint)i) - zv;
            v.StoreUnsafe(ref ro, (nuint)i);
        }

        for (; i < n; i++)
        {
            var centring = target - dqAff[i] * dzAff[i];
            result[i] = withStep ? (centring - z[i] * dq[i]) * invQ[i] - z[i] : centring * invQ[i] - rd[i] - z[i];
        }
    }
}
