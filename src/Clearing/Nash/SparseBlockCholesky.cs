using System.Runtime.InteropServices;

namespace V2V.Clearing.Nash;

/// <summary>
/// Sparse Cholesky factorisation L L^T of a symmetric positive definite matrix made of 2 x 2 blocks, one block row per
/// node of a graph, with off-diagonal blocks only where the graph (and the fill of the elimination) has an edge. Written
/// for the Newton matrix K of <see cref="NewtonSystem"/> in the support phase, where the graph is the participants and
/// the few pairs still trading, so that eliminating them in minimum-degree order creates little fill.
/// </summary>
/// <remarks>
/// <see cref="Analyse"/> orders the nodes (minimum degree, ties to the lower index, so the order is deterministic) and
/// lays out the blocks of L, fill included; <see cref="Factor"/> then runs right-looking on those blocks only, and
/// <see cref="Solve"/> substitutes forward and backward. A diagonal pivot this much smaller than its original value is
/// pinned to a huge value, as <see cref="DenseCholesky"/> does.
/// </remarks>
internal sealed class SparseBlockCholesky
{
    private const double PivotTolerance = 1e-15;
    private const double HugePivot = 1e64;

    private readonly int n;
    private readonly int[] order;
    private readonly int[] position;
    private readonly int[] start;
    private readonly int[] degree;
    private readonly bool[] adjacent;
    private readonly bool[] eliminated;
    private readonly int[] slotOf;
    private readonly int[] neighbours;
    private readonly int[] listed;
    private readonly List<int> pattern = [];
    private readonly double[] diagonal;
    private readonly double[] original;
    private int[] rowOf = [];
    private double[] blocks = [];

    public SparseBlockCholesky(int nodes)
    {
        n = nodes;
        order = new int[n];
        position = new int[n];
        start = new int[n + 1];
        degree = new int[n];
        adjacent = new bool[n * n];
        eliminated = new bool[n];
        slotOf = new int[n * n];
        neighbours = new int[n * n];
        listed = new int[n];
        diagonal = new double[3 * n];
        original = new double[2 * n];
    }

    /// <summary>Off-diagonal blocks of L, fill included (after <see cref="Analyse"/>).</summary>
    public int Slots => start[n];

    /// <summary>Multiply-adds of one factorisation, about (after <see cref="Analyse"/>; a lower bound if it gave up).</summary>
    public long FactorWork { get; private set; }

    /// <summary>
    /// Orders the nodes of the graph with edges (from[e], to[e]) and lays out L; returns false, leaving no usable
    /// layout, as soon as the factorisation's work would exceed <paramref name="workBudget"/> multiply-adds.
    /// </summary>
    public bool Analyse(ReadOnlySpan<int> from, ReadOnlySpan<int> to, long workBudget = long.MaxValue)
    {
        Array.Clear(adjacent);
        Array.Clear(degree);
        Array.Clear(listed);
        Array.Clear(eliminated);
        for (var e = 0; e < from.Length; e++)
        {
            Connect(from[e], to[e]);
        }

        pattern.Clear();
        long work = 0;
        for (var step = 0; step < n; step++)
        {
            var v = -1;
            for (var u = 0; u < n; u++)
            {
                if (!eliminated[u] && (v < 0 || degree[u] < degree[v]))
                {
                    v = u;
                }
            }

            order[step] = v;
            position[v] = step;
            eliminated[v] = true;
            start[step] = pattern.Count;
            for (var l = 0; l < listed[v]; l++)
            {
                var u = neighbours[v * n + l];
                if (!eliminated[u])
                {
                    pattern.Add(u);
                    degree[u]--;
                }
            }

            // In increasing order, as a scan over the nodes would list them, so the layout depends on the graph only.
            var count = pattern.Count - start[step];
            var column = CollectionsMarshal.AsSpan(pattern).Slice(start[step], count);
            column.Sort();
            work += 4L * count * (count + 1);
            if (work > workBudget)
            {
                FactorWork = work;
                return false;
            }

            // The neighbours of an eliminated node become a clique (the fill of that column).
            for (var a = 0; a < count; a++)
            {
                for (var b = 0; b < a; b++)
                {
                    Connect(column[a], column[b]);
                }
            }
        }

        start[n] = pattern.Count;
        if (rowOf.Length < pattern.Count)
        {
            rowOf = new int[pattern.Count];
            blocks = new double[4 * pattern.Count];
        }

        for (var p = 0; p < n; p++)
        {
            for (var s = start[p]; s < start[p + 1]; s++)
            {
                rowOf[s] = position[pattern[s]];
                slotOf[p * n + rowOf[s]] = s;
            }
        }

        FactorWork = work;
        return true;
    }

    private void Connect(int a, int b)
    {
        if (a != b && !adjacent[a * n + b])
        {
            adjacent[a * n + b] = adjacent[b * n + a] = true;
            neighbours[a * n + listed[a]++] = b;
            neighbours[b * n + listed[b]++] = a;
            degree[a]++;
            degree[b]++;
        }
    }

    /// <summary>Starts a factorisation: node k's diagonal block is [[d11, d21], [d21, d22]]; every other block is 0.</summary>
    public void Begin(ReadOnlySpan<double> d11, ReadOnlySpan<double> d21, ReadOnlySpan<double> d22)
    {
        for (var k = 0; k < n; k++)
        {
            var p = position[k];
            diagonal[3 * p] = original[2 * p] = d11[k];
            diagonal[3 * p + 1] = d21[k];
            diagonal[3 * p + 2] = original[2 * p + 1] = d22[k];
        }

        Array.Clear(blocks, 0, 4 * start[n]);
    }

    /// <summary>Adds w (g, 1)^T (g, 1) to the block of the edge between nodes a and b (an edge given to Analyse).</summary>
    public void AddEdge(int a, int b, double w, double g)
    {
        int pa = position[a], pb = position[b];
        var s = pa < pb ? slotOf[pa * n + pb] : slotOf[pb * n + pa];
        var wg = w * g;
        blocks[4 * s] += wg * g;
        blocks[4 * s + 1] += wg;
        blocks[4 * s + 2] += wg;
        blocks[4 * s + 3] += w;
    }

    /// <summary>Factors in place; returns the number of pinned pivots.</summary>
    public int Factor()
    {
        var pinned = 0;
        for (var p = 0; p < n; p++)
        {
            var d11 = diagonal[3 * p];
            if (!(d11 > PivotTolerance * Math.Abs(original[2 * p])))
            {
                d11 = HugePivot;
                pinned++;
            }

            var l11 = Math.Sqrt(d11);
            var l21 = diagonal[3 * p + 1] / l11;
            var d22 = diagonal[3 * p + 2] - l21 * l21;
            if (!(d22 > PivotTolerance * Math.Abs(original[2 * p + 1])))
            {
                d22 = HugePivot;
                pinned++;
            }

            var l22 = Math.Sqrt(d22);
            diagonal[3 * p] = l11;
            diagonal[3 * p + 1] = l21;
            diagonal[3 * p + 2] = l22;

            // L_rp = B L_pp^-T, row by row of the block B.
            for (var s = start[p]; s < start[p + 1]; s++)
            {
                for (var row = 0; row < 2; row++)
                {
                    var x0 = blocks[4 * s + 2 * row] / l11;
                    blocks[4 * s + 2 * row] = x0;
                    blocks[4 * s + 2 * row + 1] = (blocks[4 * s + 2 * row + 1] - x0 * l21) / l22;
                }
            }

            // Trailing update: block (rb, ra) -= L_rb L_ra^T for every pair of the column, ra <= rb.
            for (var a = start[p]; a < start[p + 1]; a++)
            {
                var ra = rowOf[a];
                double a00 = blocks[4 * a], a01 = blocks[4 * a + 1], a10 = blocks[4 * a + 2], a11 = blocks[4 * a + 3];
                for (var b = start[p]; b < start[p + 1]; b++)
                {
                    var rb = rowOf[b];
                    if (rb < ra)
                    {
                        continue;
                    }

                    double b00 = blocks[4 * b], b01 = blocks[4 * b + 1], b10 = blocks[4 * b + 2], b11 = blocks[4 * b + 3];
                    if (rb == ra)
                    {
                        diagonal[3 * ra] -= a00 * a00 + a01 * a01;
                        diagonal[3 * ra + 1] -= a10 * a00 + a11 * a01;
                        diagonal[3 * ra + 2] -= a10 * a10 + a11 * a11;
                        continue;
                    }

                    var t = 4 * slotOf[ra * n + rb];
                    blocks[t] -= b00 * a00 + b01 * a01;
                    blocks[t + 1] -= b00 * a10 + b01 * a11;
                    blocks[t + 2] -= b10 * a00 + b11 * a01;
                    blocks[t + 3] -= b10 * a10 + b11 * a11;
                }
            }
        }

        return pinned;
    }

    /// <summary>Solves L L^T x = b in place; node k's two components are x0[k] and x1[k].</summary>
    public void Solve(Span<double> x0, Span<double> x1)
    {
        for (var p = 0; p < n; p++)
        {
            var k = order[p];
            // The pivots' reciprocals do not depend on x, so they are computed off the substitution's chain.
            double i11 = 1 / diagonal[3 * p], l21 = diagonal[3 * p + 1], i22 = 1 / diagonal[3 * p + 2];
            var y0 = x0[k] * i11;
            var y1 = (x1[k] - l21 * y0) * i22;
            x0[k] = y0;
            x1[k] = y1;
            for (var s = start[p]; s < start[p + 1]; s++)
            {
                var r = order[rowOf[s]];
                x0[r] -= blocks[4 * s] * y0 + blocks[4 * s + 1] * y1;
                x1[r] -= blocks[4 * s + 2] * y0 + blocks[4 * s + 3] * y1;
            }
        }

        for (var p = n - 1; p >= 0; p--)
        {
            var k = order[p];
            double c0 = x0[k], c1 = x1[k];
            for (var s = start[p]; s < start[p + 1]; s++)
            {
                var r = order[rowOf[s]];
                c0 -= blocks[4 * s] * x0[r] + blocks[4 * s + 2] * x1[r];
                c1 -= blocks[4 * s + 1] * x0[r] + blocks[4 * s + 3] * x1[r];
            }

            double i11 = 1 / diagonal[3 * p], l21 = diagonal[3 * p + 1], i22 = 1 / diagonal[3 * p + 2];
            var z1 = c1 * i22;
            x1[k] = z1;
            x0[k] = (c0 - l21 * z1) * i11;
        }
    }
}
