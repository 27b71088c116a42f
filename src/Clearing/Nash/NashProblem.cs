using V2V.Market.Orders;

namespace V2V.Clearing.Nash;

/// <summary>
/// One book in the shape the solver wants (SPEC 4). Participants are sorted by id (ordinal) so the solution
/// is bit-identical whatever order the orders arrived in: the optimal utilities are unique but the quantities
/// generally are not (identical agents), and the interior point method lands on one particular optimum that
/// depends only on the order of its data.
/// </summary>
/// <remarks>
/// The solver works on the "active" participants only: those whose quantity is at least the minimum trade
/// (<see cref="Tradable"/>) with at least one such partner at positive gain. A pair with b == a is feasible (its participants count in
/// the objective, with the constant log(eps)) but carries no trade: there is no surplus to bargain over, and
/// moving energy at zero gain changes no utility. The solver's data are scaled so the largest gain and the
/// largest capacity are 1 (with eps scaled alike); the optimal quantities are invariant under that scaling.
/// Edges are laid out densely as outer x inner, where the inner side is the smaller one: the dense Schur
/// complement of the Newton system lives on the inner side.
/// </remarks>
internal sealed class NashProblem
{
    private NashProblem(Order[] buyers, Order[] sellers, double epsilon, NashScratch? scratch)
    {
        Buyers = buyers;
        Sellers = sellers;
        Epsilon = epsilon;
        Scratch = scratch;
        PairGain = scratch?.PairGain(buyers.Length * sellers.Length) ?? new double[buyers.Length * sellers.Length];
        TradableGain = scratch?.TradableGain(buyers.Length * sellers.Length) ?? new double[buyers.Length * sellers.Length];
        InObjective = new bool[buyers.Length + sellers.Length];
    }

    /// <summary>Bids sorted by id.</summary>
    public Order[] Buyers { get; }

    /// <summary>Asks sorted by id.</summary>
    public Order[] Sellers { get; }

    public double Epsilon { get; }

    /// <summary>g = (b - a) / 2 for buyer b, seller s at [b * sellers + s]; -1 marks an infeasible pair (b &lt; a).</summary>
    public double[] PairGain { get; }

    /// <summary>
    /// <see cref="PairGain"/> where the pair is in the program (positive gain, both orders tradable), 0 elsewhere: the
    /// certificate's dual constraints g (mu_b + mu_s) &lt;= lambda_b + lambda_s hold trivially where it is 0.
    /// </summary>
    public double[] TradableGain { get; }

    /// <summary>Participant k (buyers, then sellers) has a feasible partner, so log(eps + u_k) is in the objective.</summary>
    public bool[] InObjective { get; }

    public bool OuterIsBuyer { get; private set; }

    public int OuterCount { get; private set; }

    public int InnerCount { get; private set; }

    /// <summary>Index into <see cref="Buyers"/> or <see cref="Sellers"/> of solver participant o (outer) or i (inner).</summary>
    public int[] OuterToSorted { get; private set; } = [];

    public int[] InnerToSorted { get; private set; } = [];

    /// <summary>Scaled gain of dense edge o * InnerCount + i; 0 where the pair is not an edge.</summary>
    public double[] Gain { get; private set; } = [];

    /// <summary>Scaled capacities of the solver participants: outer first, then inner.</summary>
    public double[] Capacity { get; private set; } = [];

    public int EdgeCount { get; private set; }

    public double GainScale { get; private set; } = 1;

    public double QuantityScale { get; private set; } = 1;

    public double ScaledEpsilon { get; private set; }

    /// <summary>
    /// Per-participant additions to <see cref="ScaledEpsilon"/> (solver order), null for a book's own problem. Only the
    /// node problems of <see cref="MinimumTradeBranching"/> (see <see cref="Branch"/>, solved by <see cref="LogBarrierSolver"/>)
    /// and pooled programs (<see cref="Weigh"/>, solved by the interior point method) have them.
    /// </summary>
    public double[]? EpsilonShift { get; private set; }

    /// <summary>
    /// Weights of the participants' log terms (solver order), null for 1 each. Only a pooled program
    /// (<see cref="IdenticalOrderPools"/>) has them: a pool of m identical orders weighs m.
    /// </summary>
    public double[]? Weight { get; private set; }

    /// <summary>Sorted index (buyers, then sellers) of solver participant k.</summary>
    public int SortedIndex(int k)
    {
        var sorted = k < OuterCount ? OuterToSorted[k] : InnerToSorted[k - OuterCount];
        return (k < OuterCount) == OuterIsBuyer ? sorted : Buyers.Length + sorted;
    }

    /// <summary>
    /// Gives each solver participant the weight m of <paramref name="membersOfSorted"/> (by sorted index) and the epsilon
    /// m eps: m log(m eps + U) is, up to a constant, the log terms of m members sharing utility U evenly.
    /// </summary>
    public void Weigh(Func<int, int> membersOfSorted)
    {
        Weight = new double[ParticipantCount];
        EpsilonShift = new double[ParticipantCount];
        for (var k = 0; k < ParticipantCount; k++)
        {
            var m = membersOfSorted(SortedIndex(k));
            Weight[k] = m;
            EpsilonShift[k] = (m - 1) * ScaledEpsilon;
        }
    }

    /// <summary>The scaled epsilon of solver participant k.</summary>
    public double ScaledEpsilonOf(int k) => EpsilonShift is null ? ScaledEpsilon : ScaledEpsilon + EpsilonShift[k];

    public int ParticipantCount => OuterCount + InnerCount;

    /// <summary>Where the per-pair arrays of this book's solve come from (null: allocated).</summary>
    public NashScratch? Scratch { get; }

    /// <summary>
    /// The SPEC 4 objective (original units) at the solver utilities u' given as pi_k = 1 / (ScaledEpsilon + u'_k):
    /// eps + u = GainScale QuantityScale (ScaledEpsilon + u'), and a participant in the objective that the solver
    /// does not hold (no tradable partner) adds log(eps).
    /// </summary>
    public double Objective(ReadOnlySpan<double> pi)
    {
        var logScale = Math.Log(GainScale * QuantityScale);
        var sum = 0.0;
        for (var k = 0; k < ParticipantCount; k++)
        {
            // A weighted (pooled) participant's pi is m / (m eps + U): m (logScale - log pi) = m log(eps + U / m).
            sum += (Weight?[k] ?? 1) * (logScale - Math.Log(pi[k]));
        }

        var idle = -ParticipantCount;
        foreach (var inObjective in InObjective)
        {
            idle += inObjective ? 1 : 0;
        }

        return sum + (idle * Math.Log(Epsilon));
    }

    public double CapacityOfSorted(int k) =>
        k < Buyers.Length ? Buyers[k].EnergyKwh : Sellers[k - Buyers.Length].EnergyKwh;

    /// <summary>
    /// An order can trade only if its quantity is at least the minimum trade: any trade with a smaller order would be
    /// dropped (SPEC 4), so its pairs are not in the program we solve and certify (its participant still counts in the
    /// objective, with the constant log(eps), if its price meets a partner's).
    /// </summary>
    public bool[] Tradable { get; private set; } = [];

    /// <summary>
    /// The problem of one book; its per-pair arrays come from <paramref name="scratch"/> if given. Quantities are scaled
    /// by the largest tradable order unless <paramref name="quantityScale"/> (kWh) is given (a pooled program takes its
    /// book's).
    /// </summary>
    public static NashProblem Build(OrderBook book, double minTradeKwh, NashScratch? scratch = null, double quantityScale = 0)
    {
        var buyers = Sorted(book.Bids);
        var sellers = Sorted(book.Asks);
        var p = new NashProblem(buyers, sellers, book.EpsilonAud, scratch);
        int nb = buyers.Length, ns = sellers.Length;
        p.Tradable = new bool[nb + ns];
        for (var k = 0; k < nb + ns; k++)
        {
            var q = k < nb ? buyers[k].EnergyKwh : sellers[k - nb].EnergyKwh;
            p.Tradable[k] = q > 0 && q >= minTradeKwh;
        }

        var buyerActive = new bool[nb];
        var sellerActive = new bool[ns];
        double maxGain = 0;
        for (var b = 0; b < nb; b++)
        {
            for (var s = 0; s < ns; s++)
            {
                double bid = buyers[b].PriceAudPerKwh, ask = sellers[s].PriceAudPerKwh;
                if (bid < ask)
                {
                    p.PairGain[b * ns + s] = -1;
                    continue;
                }

                // SPEC 4: each side gains half the spread per kWh.
                var g = (bid - ask) * 0.5;
                p.PairGain[b * ns + s] = g;
                p.InObjective[b] = true;
                p.InObjective[nb + s] = true;
                if (g > 0 && p.Tradable[b] && p.Tradable[nb + s])
                {
                    p.TradableGain[b * ns + s] = g;
                    buyerActive[b] = true;
                    sellerActive[s] = true;
                    maxGain = Math.Max(maxGain, g);
                }
            }
        }

        var activeBuyers = Indices(buyerActive);
        var activeSellers = Indices(sellerActive);
        p.OuterIsBuyer = activeBuyers.Length >= activeSellers.Length;
        p.OuterToSorted = p.OuterIsBuyer ? activeBuyers : activeSellers;
        p.InnerToSorted = p.OuterIsBuyer ? activeSellers : activeBuyers;
        p.OuterCount = p.OuterToSorted.Length;
        p.InnerCount = p.InnerToSorted.Length;
        if (p.OuterCount == 0)
        {
            return p;
        }

        double maxCap = 0;
        foreach (var b in activeBuyers)
        {
            maxCap = Math.Max(maxCap, buyers[b].EnergyKwh);
        }

        foreach (var s in activeSellers)
        {
            maxCap = Math.Max(maxCap, sellers[s].EnergyKwh);
        }

        maxCap = quantityScale > 0 ? quantityScale : maxCap;
        p.GainScale = maxGain;
        p.QuantityScale = maxCap;
        p.ScaledEpsilon = book.EpsilonAud / (maxGain * maxCap);
        p.Capacity = new double[p.ParticipantCount];
        for (var o = 0; o < p.OuterCount; o++)
        {
            p.Capacity[o] = Side(p, true, o).EnergyKwh / maxCap;
        }

        for (var i = 0; i < p.InnerCount; i++)
        {
            p.Capacity[p.OuterCount + i] = Side(p, false, i).EnergyKwh / maxCap;
        }

        p.Gain = p.Scratch?.Gain(p.OuterCount * p.InnerCount) ?? new double[p.OuterCount * p.InnerCount];
        // The gain of solver pair (o, i) is at outerStride * sorted(o) + innerStride * sorted(i); TradableGain holds it
        // exactly where the pair is an edge, 0 elsewhere.
        var (outerStride, innerStride) = p.OuterIsBuyer ? (ns, 1) : (1, ns);
        for (var o = 0; o < p.OuterCount; o++)
        {
            var rowBase = outerStride * p.OuterToSorted[o];
            for (var i = 0; i < p.InnerCount; i++)
            {
                var g = p.TradableGain[rowBase + (innerStride * p.InnerToSorted[i])];
                if (g > 0)
                {
                    p.Gain[o * p.InnerCount + i] = g / maxGain;
                    p.EdgeCount++;
                }
            }
        }

        return p;
    }

    /// <summary>
    /// The node problem of a branch on dense edges: state -1 removes the edge (q = 0), +1 keeps it at least
    /// <paramref name="scaledMinimum"/> through q = minimum + q' with q' &gt;= 0, which takes the minimum off both ends'
    /// capacities and adds its gain g minimum to both ends' epsilon (<see cref="EpsilonShift"/>), so the node's variables
    /// are q' and the free edges (state 0); an edge an end of which has no capacity left keeps q' = 0 and is no variable.
    /// Null when the minima exceed a capacity (no feasible point).
    /// </summary>
    public NashProblem? Branch(ReadOnlySpan<sbyte> state, double scaledMinimum)
    {
        var node = new NashProblem(Buyers, Sellers, Epsilon, null)
        {
            Tradable = Tradable,
            OuterIsBuyer = OuterIsBuyer,
            OuterCount = OuterCount,
            InnerCount = InnerCount,
            OuterToSorted = OuterToSorted,
            InnerToSorted = InnerToSorted,
            GainScale = GainScale,
            QuantityScale = QuantityScale,
            ScaledEpsilon = ScaledEpsilon,
            Capacity = (double[])Capacity.Clone(),
            Gain = new double[Gain.Length],
            EpsilonShift = new double[ParticipantCount],
        };
        PairGain.CopyTo(node.PairGain, 0);
        TradableGain.CopyTo(node.TradableGain, 0);
        InObjective.CopyTo(node.InObjective, 0);
        for (var e = 0; e < Gain.Length; e++)
        {
            if (state[e] > 0 && Gain[e] > 0)
            {
                int o = e / InnerCount, i = OuterCount + (e % InnerCount);
                node.Capacity[o] -= scaledMinimum;
                node.Capacity[i] -= scaledMinimum;
                node.EpsilonShift[o] += Gain[e] * scaledMinimum;
                node.EpsilonShift[i] += Gain[e] * scaledMinimum;
            }
        }

        foreach (var c in node.Capacity)
        {
            if (c < 0)
            {
                return null;
            }
        }

        for (var e = 0; e < Gain.Length; e++)
        {
            int o = e / InnerCount, i = OuterCount + (e % InnerCount);
            if (state[e] >= 0 && Gain[e] > 0 && node.Capacity[o] > 0 && node.Capacity[i] > 0)
            {
                node.Gain[e] = Gain[e];
                node.EdgeCount++;
            }
        }

        return node;
    }

    /// <summary>Sorted buyer and seller index of solver pair (o, i).</summary>
    public (int Buyer, int Seller) BuyerSeller(int o, int i) =>
        OuterIsBuyer ? (OuterToSorted[o], InnerToSorted[i]) : (InnerToSorted[i], OuterToSorted[o]);

    private static Order Side(NashProblem p, bool outer, int index)
    {
        var sorted = outer ? p.OuterToSorted[index] : p.InnerToSorted[index];
        return outer == p.OuterIsBuyer ? p.Buyers[sorted] : p.Sellers[sorted];
    }

    internal static Order[] Sorted(IReadOnlyList<Order> orders)
    {
        var a = new Order[orders.Count];
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = orders[i];
        }

        // Ids are unique (OrderBook validates), so this order is total and the result deterministic. A side that arrives
        // sorted skips the sort (a check of n - 1 comparisons instead of ~n log n).
        for (var i = 1; i < a.Length; i++)
        {
            if (string.CompareOrdinal(a[i - 1].AgentId, a[i].AgentId) > 0)
            {
                Array.Sort(a, static (x, y) => string.CompareOrdinal(x.AgentId, y.AgentId));
                break;
            }
        }

        return a;
    }

    private static int[] Indices(bool[] flags)
    {
        var count = 0;
        foreach (var f in flags)
        {
            count += f ? 1 : 0;
        }

        var result = new int[count];
        var next = 0;
        for (var k = 0; k < flags.Length; k++)
        {
            if (flags[k])
            {
                result[next++] = k;
            }
        }

        return result;
    }
}
