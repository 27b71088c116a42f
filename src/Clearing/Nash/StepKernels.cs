using System.Numerics;
using System.Runtime.InteropServices;

namespace V2V.Clearing.Nash;

/// <summary>
/// SIMD loops of the interior point step itself: per-edge residuals and weights, centring products, the corrector's
/// right-hand side and dual step, and step lengths to the boundary. <see cref="EdgeKernels"/> holds the Newton solves'.
/// </summary>
internal static class StepKernels
{
    /// <summary>b = floor / a wherever mask is 1 (an edge) and a b &lt; floor; returns how many entries were raised.</summary>
    public static int RaiseProducts(ReadOnlySpan<double> mask, ReadOnlySpan<double> a, Span<double> b, double floor)
    {
        var n = a.Length;
        var width = Vector<double>.Count;
        ref var rm = ref MemoryMarshal.GetReference(mask);
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        var vf = new Vector<double>(floor);
        var raised = 0;
        var i = 0;
        for (; i <= n - width; i += width)
        {
            // Blocks with nothing below the floor (nearly all) cost no division.
            var low = Vector.LessThan(Vector.LoadUnsafe(ref ra, (nuint)i) * Vector.LoadUnsafe(ref rb, (nuint)i), vf)
                & Vector.GreaterThan(Vector.LoadUnsafe(ref rm, (nuint)i), Vector<double>.Zero);
            if (Vector.EqualsAll(low, Vector<long>.Zero))
            {
                continue;
            }

            for (var l = i; l < i + width; l++)
            {
                raised += Raise(mask[l], a[l], ref b[l], floor);
            }
        }

        for (; i < n; i++)
        {
            raised += Raise(mask[i], a[i], ref b[i], floor);
        }

        return raised;

        static int Raise(double m, double x, ref double y, double floor)
        {
            if (m > 0 && x * y < floor)
            {
                y = floor / x;
                return 1;
            }

            return 0;
        }
    }

    /// <summary>The start's quantities of one row: q = fraction min(shareOuter, shareInner) on edges (g &gt; 0), 0 elsewhere.</summary>
    public static void StartQuantities(
        ReadOnlySpan<double> g, double shareOuter, ReadOnlySpan<double> shareInner, double fraction, Span<double> q)
    {
        var n = g.Length;
        var width = Vector<double>.Count;
        ref var rg = ref MemoryMarshal.GetReference(g);
        ref var rs = ref MemoryMarshal.GetReference(shareInner);
        ref var rq = ref MemoryMarshal.GetReference(q);
        Vector<double> outer = new(shareOuter), f = new(fraction);
        var i = 0;
        for (; i <= n - width; i += width)
        {
            var start = f * Vector.Min(outer, Vector.LoadUnsafe(ref rs, (nuint)i));
            var isEdge = Vector.GreaterThan(Vector.LoadUnsafe(ref rg, (nuint)i), Vector<double>.Zero);
            Vector.ConditionalSelect(isEdge, start, Vector<double>.Zero).StoreUnsafe(ref rq, (nuint)i);
        }

        for (; i < n; i++)
        {
            q[i] = g[i] > 0 ? fraction * Math.Min(shareOuter, shareInner[i]) : 0;
        }
    }

    /// <summary>The start's dual slacks of one row: z = y_o + y_i - g (pi_o + pi_i) on edges (g &gt; 0), 0 elsewhere.</summary>
    public static void StartSlacks(
        ReadOnlySpan<double> g, double yOuter, double piOuter, ReadOnlySpan<double> yInner, ReadOnlySpan<double> piInner,
        Span<double> z)
    {
        var n = g.Length;
        var width = Vector<double>.Count;
        ref var rg = ref MemoryMarshal.GetReference(g);
        ref var ry = ref MemoryMarshal.GetReference(yInner);
        ref var rp = ref MemoryMarshal.GetReference(piInner);
        ref var rz = ref MemoryMarshal.GetReference(z);
        Vector<double> vy = new(yOuter), vp = new(piOuter);
        var i = 0;
        for (; i <= n - width; i += width)
        {
            var ge = Vector.LoadUnsafe(ref rg, (nuint)i);
            var slack = vy + Vector.LoadUnsafe(ref ry, (nuint)i) - (ge * (vp + Vector.LoadUnsafe(ref rp, (nuint)i)));
            Vector.ConditionalSelect(Vector.GreaterThan(ge, Vector<double>.Zero), slack, Vector<double>.Zero).StoreUnsafe(ref rz, (nuint)i);
        }

        for (; i < n; i++)
        {
            z[i] = g[i] > 0 ? yOuter + yInner[i] - (g[i] * (piOuter + piInner[i])) : 0;
        }
    }

    /// <summary>Largest alpha &lt;= limit with value + alpha step &gt;= 0 for every entry.</summary>
    public static double StepLimit(ReadOnlySpan<double> value, ReadOnlySpan<double> step, double limit)
    {
        var n = value.Length;
        var width = Vector<double>.Count;
        ref var rv = ref MemoryMarshal.GetReference(value);
        ref var rs = ref MemoryMarshal.GetReference(step);
        // A block is divided out only if the current limit would take one of its entries below zero (rarely, once
        // the limit is near its final value), which saves the divisions of the other blocks.
        var alpha = limit;
        var i = 0;
        for (; i <= n - width; i += width)
        {
            var d = Vector.LoadUnsafe(ref rs, (nuint)i);
            var v = Vector.LoadUnsafe(ref rv, (nuint)i);
            var negative = Vector.LessThan(d, Vector<double>.Zero);
            if (Vector.EqualsAll(negative & Vector.LessThan(v + (new Vector<double>(alpha) * d), Vector<double>.Zero), Vector<long>.Zero))
            {
                continue;
            }

            var ratio = Vector.ConditionalSelect(negative, -v / d, new Vector<double>(alpha));
            for (var l = 0; l < width; l++)
            {
                alpha = Math.Min(alpha, ratio[l]);
            }
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

    /// <summary>
    /// The per-edge quantities of one interior point iteration for one row: on edges (edge = 1) the dual residual
    /// rd = y_o + y_i - g (pi_o + pi_i) - z, 1/q, z/q and the capped weight min(q/z, cap); 0 off edges. Returns the
    /// row's complementarity sum q z and whether any weight exceeded the cap.
    /// </summary>
    public static (double Complementarity, bool Capped) IterationRow(
        ReadOnlySpan<double> edge, ReadOnlySpan<double> g, ReadOnlySpan<double> q, ReadOnlySpan<double> z,
        double yOuter, double piOuter, ReadOnlySpan<double> yInner, ReadOnlySpan<double> piInner, double cap,
        Span<double> rd, Span<double> invQ, Span<double> zOverQ, Span<double> invD, ReadOnlySpan<int> columns = default)
    {
        if (!columns.IsEmpty)
        {
            return IterationRowIndexed(edge, g, q, z, yOuter, piOuter, yInner, piInner, cap, rd, invQ, zOverQ, invD, columns);
        }

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
            complementarity += IterationEntry(
                edge[i], g[i], q[i], z[i], yOuter + yInner[i], piOuter + piInner[i], cap,
                out rd[i], out invQ[i], out zOverQ[i], out invD[i], ref cappedAny);
        }

        return (complementarity, cappedAny);
    }

    // IterationRow over a compressed row: slot l belongs to inner participant columns[l].
    private static (double Complementarity, bool Capped) IterationRowIndexed(
        ReadOnlySpan<double> edge, ReadOnlySpan<double> g, ReadOnlySpan<double> q, ReadOnlySpan<double> z,
        double yOuter, double piOuter, ReadOnlySpan<double> yInner, ReadOnlySpan<double> piInner, double cap,
        Span<double> rd, Span<double> invQ, Span<double> zOverQ, Span<double> invD, ReadOnlySpan<int> columns)
    {
        double complementarity = 0;
        var cappedAny = false;
        for (var l = 0; l < columns.Length; l++)
        {
            var c = columns[l];
            complementarity += IterationEntry(
                edge[l], g[l], q[l], z[l], yOuter + yInner[c], piOuter + piInner[c], cap,
                out rd[l], out invQ[l], out zOverQ[l], out invD[l], ref cappedAny);
        }

        return (complementarity, cappedAny);
    }

    // One entry of IterationRow, given the sums y_o + y_i and pi_o + pi_i of its two ends; returns its q z.
    private static double IterationEntry(
        double edge, double g, double q, double z, double y, double pi, double cap,
        out double rd, out double invQ, out double zOverQ, out double invD, ref bool capped)
    {
        if (!(edge > 0))
        {
            rd = invQ = zOverQ = invD = 0;
            return 0;
        }

        rd = y - g * pi - z;
        invQ = 1 / q;
        zOverQ = z * invQ;
        var weight = q / z;
        capped |= weight > cap;
        invD = Math.Min(weight, cap);
        return q * z;
    }

    /// <summary>sum over entries of (a + alpha da) (b + alpha db).</summary>
    public static double StepProducts(
        ReadOnlySpan<double> a, ReadOnlySpan<double> da, double alphaA, ReadOnlySpan<double> b, ReadOnlySpan<double> db, double alphaB)
    {
        var n = a.Length;
        var width = Vector<double>.Count;
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rda = ref MemoryMarshal.GetReference(da);
        ref var rb = ref MemoryMarshal.GetReference(b);
        ref var rdb = ref MemoryMarshal.GetReference(db);
        var va = new Vector<double>(alphaA);
        var vb = new Vector<double>(alphaB);
        Vector<double> sum = default;
        var i = 0;
        for (; i <= n - width; i += width)
        {
            sum += (Vector.LoadUnsafe(ref ra, (nuint)i) + va * Vector.LoadUnsafe(ref rda, (nuint)i))
                * (Vector.LoadUnsafe(ref rb, (nuint)i) + vb * Vector.LoadUnsafe(ref rdb, (nuint)i));
        }

        var total = Vector.Sum(sum);
        for (; i < n; i++)
        {
            total += (a[i] + alphaA * da[i]) * (b[i] + alphaB * db[i]);
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

    /// <summary>
    /// Gondzio's centrality targets: the products v = (a + trial da)(b + trial db) are pulled into [low, high]
    /// (by at most high downwards); result = (target - v) * scale, 0 where v is inside. Off edges scale (1/q) is 0.
    /// </summary>
    public static void CentralityCorrection(
        ReadOnlySpan<double> a, ReadOnlySpan<double> da, ReadOnlySpan<double> b, ReadOnlySpan<double> db, ReadOnlySpan<double> scale,
        double trialA, double trialB, double low, double high, Span<double> result)
    {
        var n = a.Length;
        var width = Vector<double>.Count;
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rda = ref MemoryMarshal.GetReference(da);
        ref var rb = ref MemoryMarshal.GetReference(b);
        ref var rdb = ref MemoryMarshal.GetReference(db);
        ref var rs = ref MemoryMarshal.GetReference(scale);
        ref var ro = ref MemoryMarshal.GetReference(result);
        var vta = new Vector<double>(trialA);
        var vtb = new Vector<double>(trialB);
        var vl = new Vector<double>(low);
        var vh = new Vector<double>(high);
        var i = 0;
        for (; i <= n - width; i += width)
        {
            var v = (Vector.LoadUnsafe(ref ra, (nuint)i) + vta * Vector.LoadUnsafe(ref rda, (nuint)i))
                * (Vector.LoadUnsafe(ref rb, (nuint)i) + vtb * Vector.LoadUnsafe(ref rdb, (nuint)i));
            var c = Vector.Max(vl - v, Vector<double>.Zero) + Vector.Min(Vector.Max(vh - v, -vh), Vector<double>.Zero);
            (c * Vector.LoadUnsafe(ref rs, (nuint)i)).StoreUnsafe(ref ro, (nuint)i);
        }

        for (; i < n; i++)
        {
            result[i] = CentralityShift((a[i] + trialA * da[i]) * (b[i] + trialB * db[i]), low, high) * scale[i];
        }
    }

    /// <summary>The shift that takes a complementarity product into [low, high] (downwards by at most high).</summary>
    public static double CentralityShift(double product, double low, double high) =>
        product < low ? low - product : product > high ? Math.Max(high - product, -high) : 0;

    /// <summary>
    /// Adds a centrality correction to the edge direction: cz = dz + rc - (z/q) cq (the correction's dual step from
    /// its quantity step cq and scaled target rc), then cq += dq.
    /// </summary>
    public static void CorrectedStep(
        ReadOnlySpan<double> dq, ReadOnlySpan<double> dz, ReadOnlySpan<double> rc, ReadOnlySpan<double> zOverQ, Span<double> cq, Span<double> cz)
    {
        var n = dq.Length;
        var width = Vector<double>.Count;
        ref var rdq = ref MemoryMarshal.GetReference(dq);
        ref var rdz = ref MemoryMarshal.GetReference(dz);
        ref var rrc = ref MemoryMarshal.GetReference(rc);
        ref var rzq = ref MemoryMarshal.GetReference(zOverQ);
        ref var rcq = ref MemoryMarshal.GetReference(cq);
        ref var rcz = ref MemoryMarshal.GetReference(cz);
        var i = 0;
        for (; i <= n - width; i += width)
        {
            var c = Vector.LoadUnsafe(ref rcq, (nuint)i);
            (Vector.LoadUnsafe(ref rdz, (nuint)i) + Vector.LoadUnsafe(ref rrc, (nuint)i) - Vector.LoadUnsafe(ref rzq, (nuint)i) * c).StoreUnsafe(ref rcz, (nuint)i);
            (c + Vector.LoadUnsafe(ref rdq, (nuint)i)).StoreUnsafe(ref rcq, (nuint)i);
        }

        for (; i < n; i++)
        {
            cz[i] = dz[i] + rc[i] - zOverQ[i] * cq[i];
            cq[i] += dq[i];
        }
    }

    /// <summary>result = -a - b c, entry by entry.</summary>
    public static void NegatedSumProduct(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> c, Span<double> result)
    {
        var n = a.Length;
        var width = Vector<double>.Count;
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        ref var rc = ref MemoryMarshal.GetReference(c);
        ref var ro = ref MemoryMarshal.GetReference(result);
        var i = 0;
        for (; i <= n - width; i += width)
        {
            (-Vector.LoadUnsafe(ref ra, (nuint)i) - (Vector.LoadUnsafe(ref rb, (nuint)i) * Vector.LoadUnsafe(ref rc, (nuint)i))).StoreUnsafe(ref ro, (nuint)i);
        }

        for (; i < n; i++)
        {
            result[i] = -a[i] - (b[i] * c[i]);
        }
    }
}
