namespace V2V.Clearing.Nash.LargeBooks;

/// <summary>
/// Sparse Cholesky factorisation L L^T of a symmetric positive definite matrix of 2 x 2 blocks, one block row per node
/// of a graph, for the Newton matrix K of <see cref="RestrictedInteriorPoint"/> on the pairs of a large book's working
/// set. Unlike <see cref="SparseBlockCholesky"/> (dense n x n bookkeeping, for the support phase of books of a few
/// hundred), its storage and its ordering grow with the edges and the fill only, so it serves 10,000 participants.
/// </summary>
/// <remarks>
/// <see cref="Analyse"/> orders the nodes by exact minimum degree on the elimination graph (ties to the lower index, so
/// the order is deterministic; George and Liu, "The evolution of the minimum degree ordering algorithm", SIAM Review
/// 31, 1989), recording each node's later neighbours at its elimination: that is the column pattern of L, fill
/// included. <see cref="Factor"/> is then right-looking on those blocks, and <see cref="Solve"/> substitutes forward and
/// backward. A pivot this much smaller than its original value is pinned to a huge value, as the dense factorisation
/// does, so a direction the matrix has lost (to rounding) takes no step.
/// </remarks>
internal sealed class SparseNodeCholesky
{
    private const double PivotTolerance = 1e-15;
    private const double HugePivot = 1e64;

    private readonly int n;
    private readonly int[] order;
    private readonly int[] position;
    private int[] start = [];
    private int[] rows = [];
    private int[] edgeSlot = [];
    private double[] blocks = [];
    private readonly double[] diagonal;
    private readonly double[] original;
    private readonly int[] scatter;

    public SparseNodeCholesky(int nodes)
    {
        n = nodes;
        order = new int[n];
        position = new int[n];
        diagonal = new double[3 * n];
        original = new double[2 * n];
        scatter = new int[n];
    }

    /// <summary>Off-diagonal blocks of L, fill included.</summary>
    public int Slots => start.Length == 0 ? 0 : start[n];

    /// <summary>
    /// Orders the nodes of the graph with edges (from[e], to[e]) (no repeated edge) and lays out L; false, leaving no
    /// usable layout, once the fill passes <paramref name="maxSlots"/> off-diagonal blocks.
    /// </summary>
    public bool Analyse(ReadOnlySpan<int> from, ReadOnlySpan<int> to, long maxSlots)
    {
        var adjacency = new HashSet<int>[n];
        for (var v = 0; v < n; v++)
        {
            adjacency[v] = [];
        }

        for (var e = 0; e < from.Length; e++)
        {
            adjacency[from[e]].Add(to[e]);
            adjacency[to[e]].Add(from[e]);
        }

        // Keys degree * n + node: the least is the node of least degree, ties to the lower index.
        var queue = new SortedSet<long>();
        for (var v = 0; v < n; v++)
        {
            queue.Add(((long)adjacency[v].Count * n) + v);
        }

        var columns = new int[n][];
        long slots = 0;
        var buffer = new List<int>();
        for (var step = 0; step < n; step++)
        {
            var key = queue.Min;
            queue.Remove(key);
            var v = (int)(key % n);
            order[step] = v;
            position[v] = step;
            buffer.Clear();
            buffer.AddRange(adjacency[v]);
            buffer.Sort();
            columns[v] = [.. buffer];
            slots += buffer.Count;
            if (slots > maxSlots)
            {
                start = [];
                return false;
            }

            foreach (var a in buffer)
            {
                queue.Remove(((long)adjacency[a].Count * n) + a);
                adjacency[a].Remove(v);
            }

            // Eliminating v joins its neighbours into a clique (the fill).
            for (var x = 0; x < buffer.Count; x++)
            {
                for (var y = x + 1; y < buffer.Count; y++)
                {
                    if (adjacency[buffer[x]].Add(buffer[y]))
                    {
                        adjacency[buffer[y]].Add(buffer[x]);
                    }
                }
            }

            foreach (var a in buffer)
            {
                queue.Add(((long)adjacency[a].Count * n) + a);
            }

            adjacency[v] = [];
        }

        // Column p of L (the node eliminated p-th) lists its later neighbours by position, ascending.
        start = new int[n + 1];
        for (var p = 0; p < n; p++)
        {
            start[p + 1] = start[p] + columns[order[p]].Length;
        }

        rows = new int[start[n]];
        for (var p = 0; p < n; p++)
        {
            var column = columns[order[p]];
            for (var k = 0; k < column.Length; k++)
            {
                rows[start[p] + k] = position[column[k]];
            }

            Array.Sort(rows, start[p], column.Length);
        }

        blocks = new double[4 * start[n]];
        edgeSlot = new int[from.Length];
        for (var e = 0; e < from.Length; e++)
        {
            int a = position[from[e]], b = position[to[e]];
            var (c, r) = a < b ? (a, b) : (b, a);
            edgeSlot[e] = Array.BinarySearch(rows, start[c], start[c + 1] - start[c], r);
        }

        return true;
    }

    /// <summary>Starts K: node v's diagonal block [[d11, d21], [d21, d22]], every off-diagonal block 0.</summary>
    public void Begin(ReadOnlySpan<double> d11, ReadOnlySpan<double> d21, ReadOnlySpan<double> d22)
    {
        Array.Clear(blocks);
        for (var v = 0; v < n; v++)
        {
            var p = position[v];
            diagonal[3 * p] = d11[v];
            diagonal[(3 * p) + 1] = d21[v];
            diagonal[(3 * p) + 2] = d22[v];
            original[2 * p] = d11[v];
            original[(2 * p) + 1] = d22[v];
        }
    }

    /// <summary>Adds w [[g^2, g], [g, 1]] as the off-diagonal block of edge e (as given to <see cref="Analyse"/>).</summary>
    public void SetEdge(int e, double w, double g)
    {
        var slot = 4 * edgeSlot[e];
        blocks[slot] = w * g * g;
        blocks[slot + 1] = w * g;
        blocks[slot + 2] = w * g;
        blocks[slot + 3] = w;
    }

    /// <summary>Factors K in place; returns the number of pivots pinned (lost to rounding).</summary>
    public int Factor()
    {
        var pinned = 0;
        Array.Fill(scatter, -1);
        for (var p = 0; p < n; p++)
        {
            // Diagonal block: L_pp L_pp^T = D_p.
            double d11 = diagonal[3 * p], d21 = diagonal[(3 * p) + 1], d22 = diagonal[(3 * p) + 2];
            if (!(d11 > PivotTolerance * original[2 * p]))
            {
                d11 = HugePivot;
                d21 = 0;
                pinned++;
            }

            var l11 = Math.Sqrt(d11);
            var l21 = d21 / l11;
            var rest = d22 - (l21 * l21);
            if (!(rest > PivotTolerance * original[(2 * p) + 1]))
            {
                rest = HugePivot;
                pinned++;
            }

            var l22 = Math.Sqrt(rest);
            diagonal[3 * p] = l11;
            diagonal[(3 * p) + 1] = l21;
            diagonal[(3 * p) + 2] = l22;
            int begin = start[p], end = start[p + 1];

            // Off-diagonal blocks: L_rp = A_rp L_pp^-T, row by row.
            for (var k = begin; k < end; k++)
            {
                var b = 4 * k;
                for (var row = 0; row < 2; row++)
                {
                    var x1 = blocks[b + (2 * row)] / l11;
                    var x2 = (blocks[b + (2 * row) + 1] - (l21 * x1)) / l22;
                    blocks[b + (2 * row)] = x1;
                    blocks[b + (2 * row) + 1] = x2;
                }
            }

            // Trailing update: A_rc -= L_rp L_cp^T for every pair of later neighbours r >= c.
            for (var kc = begin; kc < end; kc++)
            {
                var c = rows[kc];
                var bc = 4 * kc;
                double c00 = blocks[bc], c01 = blocks[bc + 1], c10 = blocks[bc + 2], c11 = blocks[bc + 3];
                diagonal[3 * c] -= (c00 * c00) + (c01 * c01);
                diagonal[(3 * c) + 1] -= (c10 * c00) + (c11 * c01);
                diagonal[(3 * c) + 2] -= (c10 * c10) + (c11 * c11);
                if (kc + 1 == end)
                {
                    continue;
                }

                for (var k = start[c]; k < start[c + 1]; k++)
                {
                    scatter[rows[k]] = k;
                }

                for (var kr = kc + 1; kr < end; kr++)
                {
                    var br = 4 * kr;
                    double r00 = blocks[br], r01 = blocks[br + 1], r10 = blocks[br + 2], r11 = blocks[br + 3];
                    var t = 4 * scatter[rows[kr]];
                    blocks[t] -= (r00 * c00) + (r01 * c01);
                    blocks[t + 1] -= (r00 * c10) + (r01 * c11);
                    blocks[t + 2] -= (r10 * c00) + (r11 * c01);
                    blocks[t + 3] -= (r10 * c10) + (r11 * c11);
                }

                for (var k = start[c]; k < start[c + 1]; k++)
                {
                    scatter[rows[k]] = -1;
                }
            }
        }

        return pinned;
    }

    /// <summary>Solves K x = b in place, x0/x1 the first and second unknown of each node (node order).</summary>
    public void Solve(Span<double> x0, Span<double> x1, Span<double> work)
    {
        // work holds the right-hand side in elimination order, two entries per position.
        for (var p = 0; p < n; p++)
        {
            work[2 * p] = x0[order[p]];
            work[(2 * p) + 1] = x1[order[p]];
        }

        for (var p = 0; p < n; p++)
        {
            double l11 = diagonal[3 * p], l21 = diagonal[(3 * p) + 1], l22 = diagonal[(3 * p) + 2];
            var a = work[2 * p] / l11;
            var b = (work[(2 * p) + 1] - (l21 * a)) / l22;
            work[2 * p] = a;
            work[(2 * p) + 1] = b;
            for (var k = start[p]; k < start[p + 1]; k++)
            {
                int r = rows[k], bk = 4 * k;
                work[2 * r] -= (blocks[bk] * a) + (blocks[bk + 1] * b);
                work[(2 * r) + 1] -= (blocks[bk + 2] * a) + (blocks[bk + 3] * b);
            }
        }

        for (var p = n - 1; p >= 0; p--)
        {
            double a = work[2 * p], b = work[(2 * p) + 1];
            for (var k = start[p]; k < start[p + 1]; k++)
            {
                int r = rows[k], bk = 4 * k;
                double wa = work[2 * r], wb = work[(2 * r) + 1];
                a -= (blocks[bk] * wa) + (blocks[bk + 2] * wb);
                b -= (blocks[bk + 1] * wa) + (blocks[bk + 3] * wb);
            }

            double l11 = diagonal[3 * p], l21 = diagonal[(3 * p) + 1], l22 = diagonal[(3 * p) + 2];
            b /= l22;
            a = (a - (l21 * b)) / l11;
            work[2 * p] = a;
            work[(2 * p) + 1] = b;
        }

        for (var p = 0; p < n; p++)
        {
            x0[order[p]] = work[2 * p];
            x1[order[p]] = work[(2 * p) + 1];
        }
    }
}
