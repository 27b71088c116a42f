using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace V2V.Clearing.Nash;

/// <summary>
/// The Newton system of the interior point method, reduced to per-participant unknowns and solved through a
/// dense Schur complement on the inner (smaller) side.
/// </summary>
/// <remarks>
/// With D = Z X^-1 (edges), Pi = diag(1 / (eps + u)) and Theta = S Y^-1 (participants), the primal-dual
/// system (H + D) dq + A^T dy = r1, A dq - Theta dy = r2, H = B^T Pi^2 B, becomes, with dt = Pi^2 B dq,
///   K [dt; dy] = [B D^-1 r1; A D^-1 r1 - r2],  K = C D^-1 C^T + blockdiag(Pi^-2, Theta),  C = [B; A],
///   dq = D^-1 (r1 - B^T dt - A^T dy).
/// Ordered per participant k as (dt_k, dy_k), K has a 2x2 block per participant and, across the sides, one
/// rank-one 2x2 block invD_e (g_e, 1)^T (g_e, 1) per edge e. Outer blocks are eliminated (2x2 inverses), leaving
/// the dense 2 nI x 2 nI Schur complement S = K_II - sum_o F_o^T K_oo^-1 F_o, built as K_II - G^T G.
/// Cost per factorisation: O(nO nI^2 + nI^3); per solve O(nO nI + nI^2). Buffers are allocated once.
/// The edges are stored as <see cref="EdgeRows"/> say. On compressed rows (the support phase, see <see cref="Reshape"/>)
/// K itself is factored, sparsely, by <see cref="SparseBlockCholesky"/> in minimum-degree order.
/// </remarks>
internal sealed class NewtonSystem
{
    private readonly EdgeRows rows;
    private readonly int nO;
    private readonly int nI;
    private readonly int dim;
    private readonly int width;
    private readonly double[] a11;
    private readonly double[] a12;
    private readonly double[] a22;
    private readonly double[] det;
    private readonly double[] gt;
    private readonly double[] schur;
    private readonly double[] rhs0;
    private readonly double[] rhs1;
    private readonly double[] x;
    private readonly double[] x0;
    private readonly double[] x1;
    private float[]? gtSingle;
    private float[]? schurSingle;
    private SparseBlockCholesky? sparse;

    public NewtonSystem(EdgeRows rows)
    {
        this.rows = rows;
        nO = rows.OuterCount;
        nI = rows.InnerCount;
        dim = 2 * nI;
        width = 2 * nO;
        var n = nO + nI;
        a11 = new double[n];
        a12 = new double[n];
        a22 = new double[n];
        det = new double[nO];
        // Padding columns of gt stay zero: only the entries of real participants are ever written.
        gt = new double[PackedGram<double>.PaddedRows(dim) * width];
        schur = new double[dim * dim];
        rhs0 = new double[n];
        rhs1 = new double[n];
        x = new double[dim];
        x0 = new double[nI];
        x1 = new double[nI];
    }

    public int PinnedPivots { get; private set; }

    /// <summary>The time budget, read inside the dense factorisation (the Gram product and the Cholesky factor).</summary>
    public SolverDeadline Deadline { get; set; }

    /// <summary>Whether the last factorisation ran in single precision (see <see cref="Factor"/>).</summary>
    public bool Single { get; private set; }

    // A multiply-add of the sparse factorisation (scalar, through index maps) costs about this many of the dense
    // Cholesky's (SIMD): measured on the kept edges of N = 100 every-pair books, 4,300-10,300 sparse multiply-adds in
    // 6-13 us, against 17-18 us for the 167,000 of the dense 100 x 100 factorisation.
    private const int SparseCostRatio = 12;

    /// <summary>
    /// Takes the current <see cref="EdgeRows"/> into account after they change: on compressed rows, orders K's
    /// participants for <see cref="SparseBlockCholesky"/>. Returns whether its factorisation is cheaper than the dense
    /// Cholesky factorisation of the full Schur complement (<see cref="SparseCostRatio"/>); true on dense rows. If it is
    /// not, the ordering gives up early and the compressed rows cannot be factored, unless <paramref name="evenIfDearer"/>.
    /// </summary>
    public bool Reshape(bool evenIfDearer = false)
    {
        if (rows.Dense)
        {
            return true;
        }

        var from = new int[rows.Count];
        var to = new int[rows.Count];
        for (var o = 0; o < nO; o++)
        {
            for (var e = rows.RowStart(o); e < rows.RowStart(o) + rows.RowLength(o); e++)
            {
                from[e] = o;
                to[e] = nO + rows.Inner(o, e);
            }
        }

        sparse ??= new SparseBlockCholesky(nO + nI);
        // The most multiply-adds whose cost, at SparseCostRatio each, is below the dense factorisation's dim^3 / 6.
        var cheaper = ((((long)dim * dim * dim / 6) + SparseCostRatio - 1) / SparseCostRatio) - 1;
        return sparse.Analyse(from, to, evenIfDearer ? long.MaxValue : cheaper) && sparse.FactorWork <= cheaper;
    }

    /// <summary>Factors K for the given weights; on dense rows optionally in single precision (see remarks).</summary>
    /// <remarks>
    /// Single precision is for the early iterations only (InteriorPointSolver.SingleAboveMu). An earlier version used it
    /// whenever no q/z was capped, late iterations included: it left 60 of the 480 steps of the default simulation run
    /// between 1e-6 and 1e-4, and refining its steps on the exact system cost all of its gain.
    /// </remarks>
    /// <param name="weight">The log terms' weights of a pooled program (null: 1 each); the Hessian of m log(m eps + U) is pi^2 / m.</param>
    public void Factor(double[] g, double[] invD, double[] pi, double[] theta, bool single = false, double[]? weight = null)
    {
        Single = false;
        var n = nO + nI;
        for (var k = 0; k < n; k++)
        {
            a11[k] = (weight?[k] ?? 1.0) / (pi[k] * pi[k]);
            a12[k] = 0;
            a22[k] = theta[k];
        }

        for (var o = 0; o < nO; o++)
        {
            int row = rows.RowStart(o), length = rows.RowLength(o);
            var (s11, s12, s22) = EdgeKernels.BlockSums(
                invD.AsSpan(row, length), g.AsSpan(row, length), a11.AsSpan(nO, nI), a12.AsSpan(nO, nI), a22.AsSpan(nO, nI),
                rows.ColumnsOf(o));
            a11[o] += s11;
            a12[o] += s12;
            a22[o] += s22;
            det[o] = a11[o] * a22[o] - a12[o] * a12[o];
        }

        if (!rows.Dense)
        {
            FactorSparse(g, invD);
            return;
        }

        // Single precision: twice the entries per SIMD operation. Its factor is widened for the solves, which stay in
        // double; if it pins a pivot (DenseCholesky's single-precision tolerance), the factorisation is redone in double.
        gtSingle ??= single ? new float[PackedGram<float>.PaddedRows(dim) * width] : null;
        schurSingle ??= single ? new float[schur.Length] : null;
        if (single && FactorDense(g, invD, gtSingle!, schurSingle!) == 0)
        {
            Widen(schurSingle!, schur);
            PinnedPivots = 0;
            Single = true;
            return;
        }

        PinnedPivots = FactorDense(g, invD, gt, schur);
    }

    // The dense Schur complement in precision T, factored in place; returns the pinned pivots.
    private int FactorDense<T>(double[] g, double[] invD, T[] gram, T[] target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // F_o^T K_oo^-1 F_o = w1 h1 h1^T + w2 h2 h2^T with c = a12 / a22, w1 = a22 / det, w2 = 1 / a22,
        // h1 = invD (g (g - c), g - c), h2 = invD (g, 1) per inner participant; G holds sqrt(w) h as columns, stored
        // transposed (2 nO rows of 2 nI, in PackedGram's layout) for the Gram product.
        var strip = PackedGram<T>.Width;
        for (var o = 0; o < nO; o++)
        {
            var c = a12[o] / a22[o];
            var sw1 = Math.Sqrt(a22[o] / det[o]);
            var sw2 = Math.Sqrt(1.0 / a22[o]);
            var row = o * nI;
            for (var i = FillStrips(g, invD, o, c, sw1, sw2, gram); i < nI; i++)
            {
                double ge = g[row + i], w = invD[row + i];
                var h1 = sw1 * w * (ge - c);
                var h2 = sw2 * w;
                // Columns 2i and 2i + 1 share a strip of the packed layout, and rows 2o and 2o + 1 are adjacent in it.
                var top = PackedGram<T>.Index(width, 2 * o, 2 * i);
                gram[top] = From<T>(h1 * ge);
                gram[top + 1] = From<T>(h1);
                gram[top + strip] = From<T>(h2 * ge);
                gram[top + strip + 1] = From<T>(h2);
            }
        }

        PackedGram<T>.NegatedLower(gram, width, dim, target, Deadline);

        for (var i = 0; i < nI; i++)
        {
            var k = nO + i;
            var r = 2 * i;
            target[r * dim + r] += From<T>(a11[k]);
            target[(r + 1) * dim + r] += From<T>(a12[k]);
            target[(r + 1) * dim + r + 1] += From<T>(a22[k]);
        }

        return DenseCholesky.Factor<T>(target, dim, Deadline);
    }

    // The loop above for whole strips at once (2 inner participants per strip in double, 4 in single precision), with
    // the same arithmetic: each strip row holds (h g, h) per inner participant, interleaved. Returns the participants
    // written. Measured on 2026-12-03 (perf, N = 100 every pair): the scalar loop took 5.1 % of a book, this one 2.4 %
    // (with the scalar accumulation of K's diagonal blocks made SIMD too, EdgeKernels.BlockSums: 4.8 -> 1.5 %); probe
    // medians, 5 alternated runs, 1.09-1.18 -> 1.05-1.08 ms (one slow-phase outlier each).
    private int FillStrips<T>(double[] g, double[] invD, int o, double c, double sw1, double sw2, T[] gram)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            return 0;
        }

        ref var rg = ref MemoryMarshal.GetArrayDataReference(g);
        ref var rw = ref MemoryMarshal.GetArrayDataReference(invD);
        var row = o * nI;
        var i = 0;
        if (typeof(T) == typeof(double))
        {
            ref var target = ref Unsafe.As<T, double>(ref MemoryMarshal.GetArrayDataReference(gram));
            var order = Vector256.Create(0L, 2, 1, 3);
            Vector128<double> vc = Vector128.Create(c), v1 = Vector128.Create(sw1), v2 = Vector128.Create(sw2);
            for (; i + 2 <= nI; i += 2)
            {
                var ge = Vector128.LoadUnsafe(ref rg, (nuint)(row + i));
                var w = Vector128.LoadUnsafe(ref rw, (nuint)(row + i));
                var h1 = v1 * w * (ge - vc);
                var h2 = v2 * w;
                var top = (nuint)PackedGram<double>.Index(width, 2 * o, 2 * i);
                Vector256.Shuffle(Vector256.Create(h1 * ge, h1), order).StoreUnsafe(ref target, top);
                Vector256.Shuffle(Vector256.Create(h2 * ge, h2), order).StoreUnsafe(ref target, top + (nuint)PackedGram<double>.Width);
            }
        }
        else
        {
            ref var target = ref Unsafe.As<T, float>(ref MemoryMarshal.GetArrayDataReference(gram));
            var order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
            Vector256<double> vc = Vector256.Create(c), v1 = Vector256.Create(sw1), v2 = Vector256.Create(sw2);
            for (; i + 4 <= nI; i += 4)
            {
                var ge = Vector256.LoadUnsafe(ref rg, (nuint)(row + i));
                var w = Vector256.LoadUnsafe(ref rw, (nuint)(row + i));
                var h1 = v1 * w * (ge - vc);
                var h2 = v2 * w;
                var top = (nuint)PackedGram<float>.Index(width, 2 * o, 2 * i);
                Vector256.Shuffle(Vector256.Narrow(h1 * ge, h1), order).StoreUnsafe(ref target, top);
                Vector256.Shuffle(Vector256.Narrow(h2 * ge, h2), order).StoreUnsafe(ref target, top + (nuint)PackedGram<float>.Width);
            }
        }

        return i;
    }

    // v in precision T (the type test is a constant to the JIT).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T From<T>(double v)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            var f = (float)v;
            return Unsafe.As<float, T>(ref f);
        }

        return Unsafe.As<double, T>(ref v);
    }

    // The single-precision factor, for the solves (which run in double).
    private static void Widen(float[] from, double[] to)
    {
        ref var f = ref MemoryMarshal.GetArrayDataReference(from);
        ref var d = ref MemoryMarshal.GetArrayDataReference(to);
        var k = 0;
        for (; k <= to.Length - Vector256<float>.Count; k += Vector256<float>.Count)
        {
            var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref f, (nuint)k));
            lower.StoreUnsafe(ref d, (nuint)k);
            upper.StoreUnsafe(ref d, (nuint)(k + Vector256<double>.Count));
        }

        for (; k < to.Length; k++)
        {
            to[k] = from[k];
        }
    }

    // K's diagonal blocks are (a11, a12, a22) per participant, its off-diagonal ones invD_e (g_e, 1)^T (g_e, 1) per edge.
    private void FactorSparse(double[] g, double[] invD)
    {
        var factor = sparse!;
        factor.Begin(a11, a12, a22);
        for (var o = 0; o < nO; o++)
        {
            for (var e = rows.RowStart(o); e < rows.RowStart(o) + rows.RowLength(o); e++)
            {
                factor.AddEdge(o, nO + rows.Inner(o, e), invD[e], g[e]);
            }
        }

        PinnedPivots = factor.Factor();
    }

    /// <summary>Solves for dt, dy (participants) and dq (edges) given r1 (edges) and r2 (participants).</summary>
    public void Solve(double[] g, double[] invD, double[] r1, double[] r2, double[] dt, double[] dy, double[] dq)
    {
        var n = nO + nI;
        Array.Clear(rhs0);
        for (var k = 0; k < n; k++)
        {
            rhs1[k] = -r2[k];
        }

        var inner0 = rhs0.AsSpan(nO, nI);
        var inner1 = rhs1.AsSpan(nO, nI);
        for (var o = 0; o < nO; o++)
        {
            int row = rows.RowStart(o), length = rows.RowLength(o);
            var (s0, s1) = EdgeKernels.WeightedSums(
                invD.AsSpan(row, length), r1.AsSpan(row, length), g.AsSpan(row, length), inner0, inner1, rows.ColumnsOf(o));
            rhs0[o] += s0;
            rhs1[o] += s1;
        }

        if (!rows.Dense)
        {
            rhs0.CopyTo(dt, 0);
            rhs1.CopyTo(dy, 0);
            sparse!.Solve(dt.AsSpan(0, n), dy.AsSpan(0, n));
            BackSubstitute(g, invD, r1, dt, dy, dq);
            return;
        }

        // Dense rows: the inner right-hand side minus sum_o F_o^T K_oo^-1 R_o.
        inner0.CopyTo(x0);
        inner1.CopyTo(x1);
        for (var o = 0; o < nO; o++)
        {
            var v0 = (a22[o] * rhs0[o] - a12[o] * rhs1[o]) / det[o];
            var v1 = (a11[o] * rhs1[o] - a12[o] * rhs0[o]) / det[o];
            var row = o * nI;
            EdgeKernels.SubtractProjection(invD.AsSpan(row, nI), g.AsSpan(row, nI), v0, v1, x0, x1);
        }

        for (var i = 0; i < nI; i++)
        {
            x[2 * i] = x0[i];
            x[2 * i + 1] = x1[i];
        }

        DenseCholesky.Solve(schur, dim, x);
        for (var i = 0; i < nI; i++)
        {
            dt[nO + i] = x[2 * i];
            dy[nO + i] = x[2 * i + 1];
        }

        var dtInner = dt.AsSpan(nO, nI);
        var dyInner = dy.AsSpan(nO, nI);
        for (var o = 0; o < nO; o++)
        {
            var row = o * nI;
            var (f0, f1) = EdgeKernels.Projection(invD.AsSpan(row, nI), g.AsSpan(row, nI), dtInner, dyInner);
            double b0 = rhs0[o] - f0, b1 = rhs1[o] - f1;
            dt[o] = (a22[o] * b0 - a12[o] * b1) / det[o];
            dy[o] = (a11[o] * b1 - a12[o] * b0) / det[o];
        }

        BackSubstitute(g, invD, r1, dt, dy, dq);
    }

    // dq = D^-1 (r1 - B^T dt - A^T dy), edge by edge.
    private void BackSubstitute(double[] g, double[] invD, double[] r1, double[] dt, double[] dy, double[] dq)
    {
        var dtInner = dt.AsSpan(nO, nI);
        var dyInner = dy.AsSpan(nO, nI);
        for (var o = 0; o < nO; o++)
        {
            int row = rows.RowStart(o), length = rows.RowLength(o);
            EdgeKernels.BackSubstitute(
                invD.AsSpan(row, length), r1.AsSpan(row, length), g.AsSpan(row, length), dt[o], dy[o], dtInner, dyInner,
                dq.AsSpan(row, length), rows.ColumnsOf(o));
        }
    }
}
