using V2V.Coordinator.Ledger;

namespace V2V.Host.Study;

/// <summary>
/// One arrival-quantile bin of orders on one side of the book, as sums so that runs add up: the orders, those with a
/// committed trade, those sent by slow-class EVs, and the sums of the traded share of the order's quantity, of the
/// price advantage of the matched orders (AUD/kWh) and of the utility on true values (AUD) and its square.
/// </summary>
internal readonly record struct ArrivalBin(
    int Orders, int Matched, int SlowOrders, double TradedShareSum, double PriceAdvantageSum, double UtilitySumAud, double UtilitySquaresSum)
{
    // The normal 95 % quantile, for the half-width of the mean utility's confidence interval.
    private const double Z95 = 1.959963984540054;

    public double MatchRate => Ratio(this.Matched, this.Orders);

    public double SlowShare => Ratio(this.SlowOrders, this.Orders);

    public double MeanTradedShare => this.TradedShareSum / this.Orders;

    /// <summary>Over the matched orders only (an order without a trade has no price); NaN when none matched.</summary>
    public double MeanPriceAdvantage => this.PriceAdvantageSum / this.Matched;

    public double MeanUtilityAud => this.UtilitySumAud / this.Orders;

    /// <summary>Half-width of the normal 95 % interval of <see cref="MeanUtilityAud"/> (sample variance, n - 1); NaN below 2 orders.</summary>
    public double MeanUtilityHalfWidthAud =>
        this.Orders < 2 ? double.NaN
        : Z95 * Math.Sqrt(Math.Max(0, (this.UtilitySquaresSum - (this.UtilitySumAud * this.UtilitySumAud / this.Orders)) / (this.Orders - 1)) / this.Orders);

    public static ArrivalBin operator +(ArrivalBin a, ArrivalBin b) => new(
        a.Orders + b.Orders, a.Matched + b.Matched, a.SlowOrders + b.SlowOrders, a.TradedShareSum + b.TradedShareSum,
        a.PriceAdvantageSum + b.PriceAdvantageSum, a.UtilitySumAud + b.UtilitySumAud, a.UtilitySquaresSum + b.UtilitySquaresSum);

    private static double Ratio(int part, int whole) => whole == 0 ? double.NaN : (double)part / whole;
}

/// <summary>
/// One or more runs' arrival-order statistics: per bin, the buyers and the sellers; the books ranked, the books
/// without an arrival order (one order, or every order at the same simulated time) and the orders rejected as late.
/// </summary>
internal sealed record ArrivalOrderStats(IReadOnlyList<ArrivalBin> Buyers, IReadOnlyList<ArrivalBin> Sellers, int BooksRanked, int BooksUnordered, int LateOrders)
{
    public static ArrivalOrderStats Empty(int bins) => new(new ArrivalBin[bins], new ArrivalBin[bins], 0, 0, 0);

    public static ArrivalOrderStats operator +(ArrivalOrderStats a, ArrivalOrderStats b) => new(
        [.. a.Buyers.Zip(b.Buyers, (x, y) => x + y)], [.. a.Sellers.Zip(b.Sellers, (x, y) => x + y)],
        a.BooksRanked + b.BooksRanked, a.BooksUnordered + b.BooksUnordered, a.LateOrders + b.LateOrders);
}

/// <summary>
/// Arrival order within a step, from a run's ledger: every step's book (its accepted orders, in ledger order, which
/// is the coordinator's (simulated arrival, EV id) order) with its cleared and committed trades. Each order gets its
/// arrival quantile r = (m + 1/2) / n in its book of n orders, m its 0-based position by <c>arrivalMs</c> (orders
/// at the same time share the mean of their positions), so r is symmetric: the first of four orders gets 1/8, the
/// last 7/8; bin k of B holds k/B &lt;= r &lt; (k + 1)/B. A book of one order, or one whose orders all arrived at
/// the same time, has no arrival order and is left out (counted). Per order, from its committed trades only: matched
/// (at least one), traded share (sum q over the order's quantity), price advantage (quantity-weighted mean price p
/// against the order's price: a buyer's bid - p, a seller's p - ask) and utility on true values (buyer
/// sum q (eta v - p), seller sum q (p - c); model.md, section 8).
/// </summary>
internal static class ArrivalOrder
{
    /// <summary>A step's book as the ledger records it: the accepted orders in book order, the cleared trades, the committed trade ids.</summary>
    internal sealed record Book(int Step, List<OrderAccepted> Orders, List<TradeCleared> Cleared, HashSet<long> Committed);

    /// <summary>The run header's transfer efficiency, every step's book, and the orders rejected as late.</summary>
    internal sealed record Ledger(double Efficiency, IReadOnlyList<Book> Books, int LateOrders);

    public static Ledger ReadLedger(IEnumerable<LedgerEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        double efficiency = double.NaN;
        int late = 0;
        var books = new SortedDictionary<int, Book>();
        Book At(int step)
        {
            if (!books.TryGetValue(step, out var book))
            {
                book = new Book(step, [], [], []);
                books[step] = book;
            }

            return book;
        }

        foreach (var entry in entries)
        {
            switch (entry)
            {
                case RunStarted r:
                    efficiency = r.Efficiency;
                    break;
                case OrderAccepted o:
                    At(o.Step).Orders.Add(o);
                    break;
                case OrderRejected { Reason: "late" }:
                    late++;
                    break;
                case TradeCleared t:
                    At(t.Step).Cleared.Add(t);
                    break;
                case TradeCommitted c:
                    At(c.Step).Committed.Add(c.Trade);
                    break;
            }
        }

        if (double.IsNaN(efficiency))
        {
            throw new InvalidDataException("ledger: no run header (kind \"run\") to read the efficiency from");
        }

        return new Ledger(efficiency, [.. books.Values], late);
    }

    /// <summary>
    /// The bin (0 .. bins - 1) of each arrival time's order in its book, by its arrival quantile; null when the book
    /// has no arrival order (fewer than two orders, or all at the same time).
    /// </summary>
    public static int[]? Bins(IReadOnlyList<double> arrivalsMs, int bins)
    {
        ArgumentNullException.ThrowIfNull(arrivalsMs);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        int n = arrivalsMs.Count;
        var byTime = Enumerable.Range(0, n).OrderBy(i => arrivalsMs[i]).ToArray();
        if (n < 2 || arrivalsMs[byTime[0]] == arrivalsMs[byTime[n - 1]])
        {
            return null;
        }

        var result = new int[n];
        for (int first = 0; first < n;)
        {
            int last = first;
            while (last + 1 < n && arrivalsMs[byTime[last + 1]] == arrivalsMs[byTime[first]])
            {
                last++;
            }

            // Mean position m = (first + last) / 2, quantile (m + 1/2) / n, bin floor(quantile x bins): in integers.
            int bin = Math.Min(bins - 1, (first + last + 1) * bins / (2 * n));
            for (int k = first; k <= last; k++)
            {
                result[byTime[k]] = bin;
            }

            first = last + 1;
        }

        return result;
    }

    /// <summary>One run's statistics: <paramref name="slow"/> holds the EVs of the slow latency class.</summary>
    public static ArrivalOrderStats Of(Ledger ledger, IReadOnlySet<string> slow, int bins)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(slow);
        var buyers = new ArrivalBin[bins];
        var sellers = new ArrivalBin[bins];
        int ranked = 0;
        int unordered = 0;
        foreach (var book in ledger.Books.Where(b => b.Orders.Count > 0))
        {
            var binOf = Bins([.. book.Orders.Select(o => o.ArrivalMs)], bins);
            if (binOf is null)
            {
                unordered++;
                continue;
            }

            ranked++;
            var committed = book.Cleared.Where(t => book.Committed.Contains(t.Trade)).ToArray();
            for (int i = 0; i < book.Orders.Count; i++)
            {
                var o = book.Orders[i];
                bool buyer = o.Side == "buyer";
                var bin = Score(o, buyer, committed.Where(t => (buyer ? t.Buyer : t.Seller) == o.Agent), ledger.Efficiency, slow.Contains(o.Agent));
                (buyer ? buyers : sellers)[binOf[i]] += bin;
            }
        }

        return new ArrivalOrderStats(buyers, sellers, ranked, unordered, ledger.LateOrders);
    }

    /// <summary>A run folder's statistics: its ledger and the <c>slow</c> column of its agents.csv.</summary>
    public static ArrivalOrderStats Read(string runDir, int bins) =>
        Of(ReadLedger(LedgerJson.ReadFile(Path.Combine(runDir, V2V.Host.Run.RunFolder.Ledger))), SlowAgents(Path.Combine(runDir, RunDetails.AgentsFile)), bins);

    /// <summary>The agents of agents.csv whose <c>slow</c> cell is <c>true</c>.</summary>
    public static IReadOnlySet<string> SlowAgents(string agentsCsv)
    {
        var lines = File.ReadLines(agentsCsv).Select(l => l.Split(',')).ToArray();
        var header = lines.Length > 0 ? lines[0] : throw new InvalidDataException($"{agentsCsv}: empty (no header)");
        int agent = Array.IndexOf(header, "agent");
        int slow = Array.IndexOf(header, "slow");
        if (agent < 0 || slow < 0)
        {
            throw new InvalidDataException($"{agentsCsv}: no column {(agent < 0 ? "agent" : "slow")}");
        }

        return lines.Skip(1).Where(c => c[slow] == "true").Select(c => c[agent]).ToHashSet(StringComparer.Ordinal);
    }

    // One order as a bin of one: its committed trades give its match, traded share, price advantage and utility.
    private static ArrivalBin Score(OrderAccepted o, bool buyer, IEnumerable<TradeCleared> trades, double efficiency, bool slow)
    {
        double quantity = 0;
        double paid = 0;
        foreach (var t in trades)
        {
            quantity += t.Quantity;
            paid += t.Quantity * t.Price;
        }

        bool matched = quantity > 0;
        double advantage = !matched ? 0 : buyer ? o.Price - (paid / quantity) : (paid / quantity) - o.Price;
        double utility = buyer ? (efficiency * o.TrueValue * quantity) - paid : paid - (o.TrueValue * quantity);
        return new ArrivalBin(
            1, matched ? 1 : 0, slow ? 1 : 0, o.Quantity > 0 ? quantity / o.Quantity : 0, advantage, utility, utility * utility);
    }
}
