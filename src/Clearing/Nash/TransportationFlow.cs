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
/// Computed in double-double (<see cref="DoubleDouble"/>): the profits span as many decades as the utilities
/// (1 / (eps + u), eps down to 1e-9), so a potential is a difference of distances up to ~1e9, which in double kept ~1e-7
/// of its own size at worst and left optimal quantities uncertified (measured on 2026-12-07: about half of the uncertified
/// books of 4,500 seeded ones with quantities 1e-9..1e6 kWh were of that kind, none after).
/// O(augmentations x nodes x arcs), so only for small books (the caller's limit); the number of augmentations is capped
/// (<see cref="MaxAugmentationsPerArc"/> per arc) and the flow found so far returned, which leaves the bound valid (the
/// caller raises lambda until every dual constraint holds) but possibly loose.
/// </remarks>
internal static class TransportationFlow
{
    // A bound on the augmentations, so the time stays bounded whatever rounding does to the paths.
    private const int MaxAugmentationsPerArc = 4;

    // Improvement of a path cost, relative to the terms added, below which Bellman-Ford treats it as rounding (of
    // double-double arithmetic, ~1e-32 per operation).
    private const double Settle = 1e-28;

    /// <summary>
    /// Writes an optimal x (buyer-major, nb x ns) for profits c (0 where a pair is not in the program) and dual potentials
    /// lambda (buyers, then sellers), optimal up to rounding (the caller raises them where a constraint is short).
    /// </summary>
    public static void Solve(ReadOnlySpan<double> c, int nb, int ns, Func<int, double> capacity, Span<double> x, Span<double> lambda)
    {
        var profit = new DoubleDouble[c.Length];
        for (var e = 0; e < c.Length; e++)
        {
            profit[e] = c[e];
        }

        var potentials = new DoubleDouble[nb + ns];
        Solve(profit, nb, ns, capacity, x, potentials);
        for (var k = 0; k < nb + ns; k++)
        {
            lambda[k] = potentials[k].Value;
        }
    }

    /// <summary>
    /// As above in double-double arithmetic (<see cref="DoubleDouble"/>): profits, residual capacities, distances and
    /// potentials all carry ~32 digits, so a potential that is a small difference of distances ~1e9 keeps its digits.
    /// </summary>
    public static void Solve(ReadOnlySpan<DoubleDouble> c, int nb, int ns, Func<int, double> capacity, Span<double> x, Span<DoubleDouble> lambda, SolverDeadline deadline = default)
    {
        // Nodes: buyers 0..nb-1, sellers nb..nb+ns-1, source nb+ns, sink nb+ns+1. Arcs in pairs (a, a ^ 1 its reverse).
        int source = nb + ns, sink = source + 1, nodes = sink + 1;
        var from = new List<int>();
        var to = new List<int>();
        var residual = new List<DoubleDouble>();
        var cost = new List<DoubleDouble>();
        void Add(int u, int v, double cap, DoubleDouble w)
        {
            from.Add(u); to.Add(v); residual.Add(cap); cost.Add(w);
            from.Add(v); to.Add(u); residual.Add(DoubleDouble.Zero); cost.Add(-w);
        }

        for (var b = 0; b < nb; b++)
        {
            Add(source, b, capacity(b), DoubleDouble.Zero);
        }

        for (var s = 0; s < ns; s++)
        {
            Add(nb + s, sink, capacity(nb + s), DoubleDouble.Zero);
        }

        var pairArc = new int[nb * ns];
        for (var e = 0; e < nb * ns; e++)
        {
            pairArc[e] = -1;
            if (c[e] > DoubleDouble.Zero)
            {
                pairArc[e] = from.Count;
                Add(e / ns, nb + (e % ns), double.PositiveInfinity, -c[e]);
            }
        }

        var distance = new DoubleDouble[nodes];
        var parent = new int[nodes];
        var infinity = new DoubleDouble(double.PositiveInfinity, 0);
        for (var round = 0; round < MaxAugmentationsPerArc * from.Count; round++)
        {
            deadline.Check();
            Array.Fill(distance, infinity);
            Array.Fill(parent, -1);
            distance[source] = DoubleDouble.Zero;
            for (var pass = 0; pass < nodes; pass++)
            {
                var changed = false;
                for (var a = 0; a < from.Count; a++)
                {
                    // Only improvements above rounding: with profits spanning many decades, rounding-sized negative cycles
                    // otherwise keep Bellman-Ford from settling and leave a cycle in the parents.
                    if (residual[a] > DoubleDouble.Zero && distance[from[a]].IsFinite && Improves(distance[from[a]], cost[a], distance[to[a]], out var through))
                    {
                        distance[to[a]] = through;
                        parent[to[a]] = a;
                        changed = true;
                    }
                }

                if (!changed)
                {
                    break;
                }
            }

            if (!(distance[sink] < DoubleDouble.Zero))
            {
                break;
            }

            // A path longer than the nodes is a cycle of parents, which rounding can leave: stop with the flow so far.
            var push = infinity;
            var length = 0;
            for (var v = sink; v != source && length <= nodes; v = from[parent[v]], length++)
            {
                push = DoubleDouble.Min(push, residual[parent[v]]);
            }

            if (length > nodes || !(push > DoubleDouble.Zero) || !push.IsFinite)
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
            x[e] = pairArc[e] < 0 ? 0 : residual[pairArc[e] ^ 1].Value;
        }

        // Potentials of the optimal circulation (the flow closed by a free arc sink -> source): shortest distances d in its
        // residual graph from a root joined to every node at cost 0, finite since an optimal circulation leaves no negative
        // cycle. Every residual arc has d(v) <= d(u) + cost: on each pair d(b) - d(s) >= c, and d(source) = d(sink) when
        // anything flows. lambda_b = d(b) - d(source) and lambda_s = d(sink) - d(s) are then dual feasible, >= 0 where the
        // capacity binds and 0 where a participant trades below it (complementary slackness), so optimal.
        var flowing = DoubleDouble.Zero;
        for (var b = 0; b < nb; b++)
        {
            flowing += residual[(2 * b) + 1];
        }

        Add(sink, source, double.PositiveInfinity, DoubleDouble.Zero);
        residual[^1] = flowing;
        Array.Fill(distance, DoubleDouble.Zero);
        for (var pass = 0; pass < nodes; pass++)
        {
            var changed = false;
            for (var a = 0; a < from.Count; a++)
            {
                if (residual[a] > DoubleDouble.Zero && Improves(distance[from[a]], cost[a], distance[to[a]], out var through))
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
            lambda[k] = DoubleDouble.Max(DoubleDouble.Zero, k < nb ? distance[k] - distance[source] : distance[sink] - distance[k]);
        }
    }

    // Whether d(u) + cost improves d(v) by more than rounding (Settle of the terms added); through = d(u) + cost.
    private static bool Improves(DoubleDouble du, DoubleDouble cost, DoubleDouble dv, out DoubleDouble through)
    {
        through = du + cost;
        var margin = Settle * (Math.Abs(du.Hi) + Math.Abs(cost.Hi));
        return through < dv - margin;
    }
}
