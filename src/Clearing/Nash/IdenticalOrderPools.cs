using V2V.Market.Orders;

namespace V2V.Clearing.Nash;

/// <summary>
/// Identical orders (same side, price and quantity, tradable) pooled into one participant each, so that the interior
/// point method solves a smaller program without the face of optima that interchangeable participants span.
/// </summary>
/// <remarks>
/// Why this is exact: the SPEC 4 objective is symmetric in identical participants and strictly concave in the
/// utilities, and the feasible utilities form a convex set symmetric under swapping them, so the optimal utilities
/// (unique) give every member of a pool the same utility. A pool of m orders of quantity Q is therefore one participant
/// of quantity m Q whose utility U is shared evenly: its members contribute m log(eps + U / m) = m log(m eps + U) - m log m,
/// a participant of weight m and epsilon m eps (<see cref="NashProblem.Weight"/>, <see cref="NashProblem.EpsilonShift"/>).
/// Every pooled point expands to a feasible point of the book (each member takes 1 / m of each of the pool's trades, a
/// pair of pools 1 / (m m') of theirs), and the certificate is evaluated on the book itself at that point
/// (<see cref="CertificateEvaluator.Pools"/>), so the bound never rests on the argument above.
/// In the simulation, truthful bids put every urgent buyer at the same price and the same rate-limited quantity
/// (109 of 1,243 buyers at 0.28 AUD/kWh and 5.5 kWh in step 0 of a 2,000-EV run): their pairs with each seller are
/// interchangeable, the interior point method's iterate spreads over all of them, and the support phase found 54,000 to
/// 185,000 pairs to keep, too many to factor sparsely (docs/solver.md, "Large books").
/// </remarks>
internal sealed class IdenticalOrderPools
{
    // Sorted participant of the book (buyers, then sellers) -> its pool's sorted index in Pooled (buyers, then sellers).
    private readonly int[] poolOf;

    // Members per pooled participant (buyers, then sellers, sorted layout of Pooled).
    private readonly int[] members;

    private readonly int nb;
    private readonly int ns;

    private IdenticalOrderPools(NashProblem pooled, int nb, int[] poolOf, int[] members)
    {
        Pooled = pooled;
        this.nb = nb;
        ns = poolOf.Length - nb;
        this.poolOf = poolOf;
        this.members = members;
    }

    /// <summary>The pooled program, its weights and epsilons set.</summary>
    public NashProblem Pooled { get; }

    /// <summary>The pools of the book's problem, or null if no two tradable orders of a side are identical.</summary>
    public static IdenticalOrderPools? Find(NashProblem problem, double minTradeKwh)
    {
        int nb = problem.Buyers.Length, ns = problem.Sellers.Length;
        var poolOf = new int[nb + ns];
        var (buyers, buyerMembers) = Pool(problem.Buyers, problem.Tradable.AsSpan(0, nb), poolOf.AsSpan(0, nb));
        var (sellers, sellerMembers) = Pool(problem.Sellers, problem.Tradable.AsSpan(nb, ns), poolOf.AsSpan(nb, ns));
        if (buyers.Count == nb && sellers.Count == ns)
        {
            return null;
        }

        var members = new int[buyers.Count + sellers.Count];
        buyerMembers.CopyTo(members, 0);
        sellerMembers.CopyTo(members, buyers.Count);
        // Scaled as the book (its largest order is 1), not by the largest pool: scaled by a pool of 109 x 5.5 kWh, every
        // other order's capacity was ~0.01 and the dense iterations crept (a complementarity of 4e-5 for 5 iterations, then
        // 1e-6 for 15, on step 0 of a 2,000-EV run); scaled by the book, 21 steady iterations reached 2e-6.
        var pooled = NashProblem.Build(new OrderBook(buyers, sellers, problem.Epsilon), minTradeKwh, quantityScale: problem.QuantityScale);
        pooled.Weigh(k => members[pooled.SortedIndex(k)]);
        return new IdenticalOrderPools(pooled, nb, poolOf, members);
    }

    /// <summary>
    /// Expands pooled quantities (kWh, Pooled's sorted layout [buyer * sellers + seller]) and capacity multipliers
    /// (Pooled's sorted participants, buyers first) to the book's sorted layout: each member takes its share of its pool's
    /// trades, and its pool's multiplier (a member's dual constraint is its pool's).
    /// </summary>
    public void Expand(ReadOnlySpan<double> pooledQuantity, ReadOnlySpan<double> pooledLambda, Span<double> quantity, Span<double> lambda)
    {
        int pb = Pooled.Buyers.Length, ps = Pooled.Sellers.Length;
        for (var b = 0; b < nb; b++)
        {
            var pool = poolOf[b];
            for (var s = 0; s < ns; s++)
            {
                var seller = poolOf[nb + s];
                quantity[(b * ns) + s] = pooledQuantity[(pool * ps) + seller] / ((double)members[pool] * members[pb + seller]);
            }
        }

        for (var k = 0; k < nb + ns; k++)
        {
            lambda[k] = pooledLambda[k < nb ? poolOf[k] : pb + poolOf[k]];
        }
    }

    // One order per run of identical tradable orders (a side sorted by id; a pool takes its first member's id, so the
    // pools stay sorted by id); untradable orders stay on their own. Writes each order's pool index.
    private static (List<Order> Orders, List<int> Members) Pool(Order[] side, ReadOnlySpan<bool> tradable, Span<int> poolOf)
    {
        var orders = new List<Order>();
        var members = new List<int>();
        var first = new Dictionary<(double Price, double Quantity), int>();
        for (var k = 0; k < side.Length; k++)
        {
            var order = side[k];
            if (tradable[k] && first.TryGetValue((order.PriceAudPerKwh, order.EnergyKwh), out var pool))
            {
                poolOf[k] = pool;
                members[pool]++;
                continue;
            }

            poolOf[k] = orders.Count;
            if (tradable[k])
            {
                first[(order.PriceAudPerKwh, order.EnergyKwh)] = orders.Count;
            }

            orders.Add(order);
            members.Add(1);
        }

        for (var pool = 0; pool < orders.Count; pool++)
        {
            orders[pool] = orders[pool] with { EnergyKwh = orders[pool].EnergyKwh * members[pool] };
        }

        return (orders, members);
    }
}
