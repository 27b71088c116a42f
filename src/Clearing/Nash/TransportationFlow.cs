namespace V2V.Clearing.Nash;

/// <summary>
/// An optimal solution of the transportation LP max sum_e c_e x_e s.t. sum_s x_bs &lt;= Q_b, sum_b x_bs &lt;= Q_s, x &gt;= 0,
/// as a min-cost flow source -&gt; buyers -&gt; sellers -&gt; sink (cost -c_e on the pairs) by successive shortest paths with
/// Bellman-Ford on the residual graph (Ford and Fulkerson, Flows in Networks, 1962; Ahuja, Magnanti and Orlin, Network
/// Flows, 1993, ch. 9): each augmentation along a cheapest residual path keeps the flow min-cost for its value, and the
/// flow is optimal once no path has negative cost. The potentials of the closed circulation are an optimal dual (see
/// Solve), which makes the certificate's gap at the returned utilities the Frank-Wolfe gap itself.
/// </summary>
/// <remarks>
/// Not exact in floating point: the profits span as many decades as the utilities (1 / (eps + u), eps down to 1e-9), so
/// a potential is a difference of distances up to ~1e9 and keeps ~1e-7 of its own size at worst; the caller's raise
/// keeps the bound valid, and on books with quantities 1e-9..1e6 kWh a few stay above 1e-9 for that reason (measured on
/// 2026-12-07, 500 seeded such books without a minimum trade: 11 uncertified, 20 with the LpDual potentials alone).
/// O(augmentations x nodes x arcs), so only for small books (the caller's limit); the number of augmentations is capped
/// (<see cref="MaxAugmentationsPerArc"/> per arc) and the flow found so far returned, which leaves the bound valid (the
/// caller raises lambda until every dual constraint holds) but possibly loose.
/// </remarks>
internal static class TransportationFlow
{
    // A bound on the augmentations, so the time stays bounded whatever rounding does to the paths.
    private const int MaxAugmentationsPerArc = 4;

    // Improvement of a path cost, relative to the terms added, below which Bellman-Ford treats it as rounding.
    private const double Settle = 1e-13;

    /// <summary>
    /// Writes an optimal x (buyer-major, nb x ns) for profits c (0 where a pair is not in the program) and dual potentials
    /// lambda (buyers, then sellers), optimal up to rounding (the caller raises them where a constraint is short).
    /// </summary>
    public static void Solve(ReadOnlySpan<double> c, int nb, int ns, Func<int, double> capacity, Span<double> x, Span<double> lambda)
    {
        // Nodes: buyers 0..nb-1, sellers nb..nb+ns-1, source nb+ns, sink nb+ns+1. Arcs in pairs (a, a ^ 1 its reverse).
        int source = nb + ns, sink = source + 1, nodes = sink + 1;
        var from = new List<int>();
        var to = new List<int>();
        var residual = new List<double>();
        var cost = new List<double>();
        void Add(int u, int v, double cap, double w)
        {
            from.Add(u); to.Add(v); residual.Add(cap); cost.Add(w);
            from.Add(v); to.Add(u); residual.Add(0); cost.Add(-w);
        }

        for (var b = 0; b < nb; b++)
        {
            Add(source, b, capacity(b), 0);
        }

        for (var s = 0; s < ns; s++)
        {
            Add(nb + s, sink, capacity(nb + s), 0);
        }

        var pairArc = new int[nb * ns];
        for (var e = 0; e < nb * ns; e++)
        {
            pairArc[e] = -1;
            if (c[e] > 0)
            {
                pairArc[e] = from.Count;
                Add(e / ns, nb + (e % ns), double.PositiveInfinity, -c[e]);
            }
        }

        var distance = new double[nodes];
        var parent = new int[nodes];
        for (var round = 0; round < MaxAugmentationsPerArc * from.Count; round++)
        {
            Array.Fill(distance, double.PositiveInfinity);
            Array.Fill(parent, -1);
            distance[source] = 0;
            for (var pass = 0; pass < nodes; pass++)
            {
                var changed = false;
                for (var a = 0; a < from.Count; a++)
                {
                    // Only improvements above rounding: with profits spanning many decades, ulp-sized negative cycles
                    // otherwise keep Bellman-Ford from settling and leave a cycle in the parents.
                    var through = distance[from[a]] + cost[a];
                    if (residual[a] > 0 && through < distance[to[a]] - (Settle * (Math.Abs(distance[from[a]]) + Math.Abs(cost[a]))))
                    {
                        distance[to[a]] = distance[from[a]] + cost[a];
                        parent[to[a]] = a;
                        changed = true;
                    }
                }

                if (!changed)
                {
                    break;
                }
            }

            if (!(distance[sink] < 0))
            {
                break;
            }

            // A path longer than the nodes is a cycle of parents, which rounding can leave: stop with the flow so far.
            var push = double.PositiveInfinity;
            var length = 0;
            for (var v = sink; v != source && length <= nodes; v = from[parent[v]], length++)
            {
                push = Math.Min(push, residual[parent[v]]);
            }

            if (length > nodes || !(push > 0) || !double.IsFinite(push))
            {
                break;
            }

            for (var v = sink; v != source; v = from[parent[v]])
            {
                residual[parent[v]] -= push;
                residual[parent[v] ^ 1] += push;
            }
        }

        for (var e = 0; e < nb * ns; e++)
        {
            x[e] = pairArc[e] < 0 ? 0 : residual[pairArc[e] ^ 1];
        }

        // Potentials of the optimal circulation (the flow closed by a free arc sink -> source): shortest distances d in its
        // residual graph from a root joined to every node at cost 0, finite since an optimal circulation leaves no negative
        // cycle. Every residual arc has d(v) <= d(u) + cost: on each pair d(b) - d(s) >= c, and d(source) = d(sink) when
        // anything flows. lambda_b = d(b) - d(source) and lambda_s = d(sink) - d(s) are then dual feasible, >= 0 where the
        // capacity binds and 0 where a participant trades below it (complementary slackness), so optimal.
        var flowing = 0.0;
        for (var b = 0; b < nb; b++)
        {
            flowing += residual[(2 * b) + 1];
        }

        Add(sink, source, double.PositiveInfinity, 0);
        residual[^1] = flowing;
        Array.Fill(distance, 0);
        for (var pass = 0; pass < nodes; pass++)
        {
            var changed = false;
            for (var a = 0; a < from.Count; a++)
            {
                var through = distance[from[a]] + cost[a];
                if (residual[a] > 0 && through < distance[to[a]] - (Settle * (Math.Abs(distance[from[a]]) + Math.Abs(cost[a]))))
                {
                    distance[to[a]] = through;
                    changed = true;
                }
            }

            if (!changed)
            {
                break;
            }
        }

        for (var k = 0; k < nb + ns; k++)
        {
            lambda[k] = Math.Max(0, k < nb ? distance[k] - distance[source] : distance[sink] - distance[k]);
        }
    }
}
