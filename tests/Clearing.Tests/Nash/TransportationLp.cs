namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// The exact value of the linear program max sum_e c_e x_e over the transportation polytope
/// (sum_j x_ij &lt;= Q_i, sum_i x_ij &lt;= R_j, x &gt;= 0), as a max-profit flow source -> buyers -> sellers -> sink
/// solved by successive shortest paths (Dijkstra on reduced costs). Each augmentation is a cheapest path of
/// the residual graph, so the flow stays min-cost for its value; we stop at the first path that no longer
/// pays. Slow (about V^2 per augmentation) and plain on purpose: it is the yardstick for the dual bounds.
/// </summary>
internal static class TransportationLp
{
    /// <param name="edges">Pair indices i * sellers + j that may carry flow.</param>
    /// <param name="profit">c_e, one per edge; edges with c_e &lt;= 0 never pay and are skipped.</param>
    public static double Max(int buyers, int sellers, int[] edges, double[] profit, double[] buyerCap, double[] sellerCap)
    {
        var graph = new Graph(buyers + sellers + 2);
        int source = buyers + sellers, sink = source + 1;
        for (var i = 0; i < buyers; i++)
        {
            graph.Add(source, i, buyerCap[i], 0);
        }

        for (var j = 0; j < sellers; j++)
        {
            graph.Add(buyers + j, sink, sellerCap[j], 0);
        }

        var flowArcs = new List<(int Arc, double Profit)>();
        for (var e = 0; e < edges.Length; e++)
        {
            if (profit[e] > 0)
            {
                flowArcs.Add((graph.Add(edges[e] / sellers, buyers + edges[e] % sellers, double.PositiveInfinity, -profit[e]), profit[e]));
            }
        }

        graph.MinCostFlow(source, sink, buyers);

        var value = 0.0;
        foreach (var (arc, c) in flowArcs)
        {
            value += c * graph.Flow(arc);
        }

        return value;
    }

    private sealed class Graph(int nodes)
    {
        private readonly List<int> to = [];
        private readonly List<double> residual = [];
        private readonly List<double> cost = [];
        private readonly List<int>[] outArcs = Enumerable.Range(0, nodes).Select(_ => new List<int>()).ToArray();

        /// <summary>Adds arc u -> v and its reverse (index ^ 1); returns the forward arc's index.</summary>
        public int Add(int u, int v, double capacity, double arcCost)
        {
            var id = to.Count;
            to.Add(v);
            residual.Add(capacity);
            cost.Add(arcCost);
            outArcs[u].Add(id);
            to.Add(u);
            residual.Add(0);
            cost.Add(-arcCost);
            outArcs[v].Add(id + 1);
            return id;
        }

        public double Flow(int arc) => residual[arc ^ 1];

        public void MinCostFlow(int source, int sink, int buyers)
        {
            var potential = InitialPotential(source, buyers);
            var dist = new double[nodes];
            var parentArc = new int[nodes];
            var done = new bool[nodes];
            var limit = 4 * to.Count + 10 * nodes;
            for (var round = 0; round < limit; round++)
            {
                Array.Fill(dist, double.PositiveInfinity);
                Array.Fill(parentArc, -1);
                Array.Clear(done);
                dist[source] = 0;
                for (var step = 0; step < nodes; step++)
                {
                    var u = -1;
                    for (var v = 0; v < nodes; v++)
                    {
                        if (!done[v] && dist[v] < double.PositiveInfinity && (u < 0 || dist[v] < dist[u]))
                        {
                            u = v;
                        }
                    }

                    if (u < 0)
                    {
                        break;
                    }

                    done[u] = true;
                    foreach (var a in outArcs[u])
                    {
                        if (residual[a] <= 0)
                        {
                            continue;
                        }

                        var v = to[a];
                        // Reduced costs are >= 0 in exact arithmetic; clamp the rounding.
                        var d = dist[u] + Math.Max(0, cost[a] + potential[u] - potential[v]);
                        if (d < dist[v])
                        {
                            dist[v] = d;
                            parentArc[v] = a;
                        }
                    }
                }

                if (double.IsPositiveInfinity(dist[sink]))
                {
                    return;
                }

                var pathCost = dist[sink] + potential[sink] - potential[source];
                for (var v = 0; v < nodes; v++)
                {
                    // Capping at the sink's distance keeps every residual reduced cost >= 0, reached or not.
                    potential[v] += Math.Min(dist[v], dist[sink]);
                }

                if (pathCost >= 0)
                {
                    return;
                }

                var push = double.PositiveInfinity;
                for (var v = sink; v != source; v = to[parentArc[v] ^ 1])
                {
                    push = Math.Min(push, residual[parentArc[v]]);
                }

                for (var v = sink; v != source; v = to[parentArc[v] ^ 1])
                {
                    var a = parentArc[v];
                    residual[a] -= push;
                    residual[a ^ 1] += push;
                }
            }

            throw new InvalidOperationException("transportation LP: too many augmentations");
        }

        // The network is a DAG at the start (source -> buyers -> sellers -> sink), so shortest distances in
        // topological order make every reduced cost >= 0 even though buyer -> seller costs are negative.
        private double[] InitialPotential(int source, int buyers)
        {
            var p = new double[nodes];
            var sink = source + 1;
            for (var v = buyers; v < source; v++)
            {
                p[v] = 0;
            }

            for (var u = 0; u < buyers; u++)
            {
                foreach (var a in outArcs[u])
                {
                    if (residual[a] > 0 && to[a] != source)
                    {
                        p[to[a]] = Math.Min(p[to[a]], cost[a]);
                    }
                }
            }

            p[sink] = 0;
            for (var v = buyers; v < source; v++)
            {
                p[sink] = Math.Min(p[sink], p[v]);
            }

            return p;
        }
    }
}
