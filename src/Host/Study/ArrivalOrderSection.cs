using System.Globalization;
using System.Text;
using ScottPlot;
using V2V.Clearing;
using V2V.Host.Output;
using V2V.Market.Configuration;
using V2V.Market.Orders;

namespace V2V.Host.Study;

/// <summary>
/// The arrival-order part of an experiment that sets <c>experiment.arrival-order-bins</c>: <see cref="ArrivalOrder"/>
/// on every run of every variant (in parallel), summed per variant and method, as DIR/arrival-order.csv, one table
/// per variant (per method, side and arrival bin) and one chart per method (mean utility per order against the
/// arrival bin). With it, the order check: every recorded book cleared again with the run's mechanism, once in book
/// order and once with both sides reversed; identical trades mean the order of arrival did not enter the clearing.
/// </summary>
internal static class ArrivalOrderSection
{
    public const string CsvFile = "arrival-order.csv";

    public const int MaxBins = 20;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// One run's statistics; its order check (books cleared again, identical in reverse order, equal to the ledger's
    /// trades); and its outcome: every cleared trade with whether it committed, to compare with the paired run.
    /// </summary>
    internal sealed record RunResult(
        ArrivalOrderStats Stats, int Books, int BooksReverseIdentical, int BooksReproduced, int Orders, int OrdersTied,
        IReadOnlyList<(V2V.Coordinator.Ledger.TradeCleared Trade, bool Committed)> Outcome);

    public static void Render(
        StringBuilder w, string dir, StudyPlan plan, StudyExperiment e, IReadOnlyDictionary<StudyVariant, MarketConfig> markets, int parallelism)
    {
        int bins = e.ArrivalOrderBins;
        var runs = plan.Runs();
        var results = new RunResult[runs.Count];
        Parallel.For(0, runs.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, i =>
            results[i] = Run(StudyRunner.RunDir(dir, runs[i]), runs[i].Method.Mechanism, markets[runs[i].Variant].Clearing, bins));
        var cells = (from v in plan.Variants
                     from m in plan.Methods
                     let mine = runs.Select((r, i) => (r, i)).Where(p => p.r.Variant == v && p.r.Method == m).Select(p => results[p.i]).ToArray()
                     select (Variant: v, Method: m, Stats: mine.Aggregate(ArrivalOrderStats.Empty(bins), (sum, r) => sum + r.Stats),
                             Books: mine.Sum(r => r.Books), Identical: mine.Sum(r => r.BooksReverseIdentical), Reproduced: mine.Sum(r => r.BooksReproduced),
                             Orders: mine.Sum(r => r.Orders), Tied: mine.Sum(r => r.OrdersTied))).ToArray();
        var index = runs.Select((r, i) => (r, i)).ToDictionary(p => p.r, p => results[p.i]);
        int SameAsReference(StudyVariant v, StudyMethod m) =>
            runs.Count(r => r.Variant == v && r.Method == m && index[r].Outcome.SequenceEqual(index[r.In(e.Reference)].Outcome));
        AtomicFile.WriteText(Path.Combine(dir, CsvFile), Csv(cells.Select(c => (c.Variant.Name, c.Method.Name, c.Stats)), bins));

        w.AppendLine("### Arrival order within a step: does arriving first pay?").AppendLine();
        w.AppendLine(Invariant, $"Every order of every run, ranked by its simulated arrival (`arrivalMs`) among the orders of its step's book: its arrival quantile (m + 1/2) / n, m its 0-based position among the book's n orders (equal times share their mean position), in {bins} bins from the first {Fraction(bins)} of arrivals to the last. Books of one order, or whose orders all arrived at the same time, have no arrival order and are left out. Per bin, summed over every run of the variant and method, from the ledgers' committed trades: the match rate (orders with a trade / orders), the mean traded share of the order's quantity, the mean price advantage of the matched orders (buyers: bid - price paid; sellers: price received - ask; AUD/kWh; quantity-weighted over an order's trades), the mean utility per order on true values (AUD, with the half-width of its normal 95 % interval) and the share of orders sent by slow-class EVs. Late orders were rejected and are in no book. Every number is in {CsvFile}.").AppendLine();

        w.AppendLine(Invariant, $"**Does the order of the book enter the clearing?** Every recorded book cleared again with the run's mechanism, in book order (the coordinator's (arrival, EV id) order) and with both sides reversed; \"identical\" counts the books whose two clearings give exactly the same trades, \"reproduced\" those whose clearing in book order gives the ledger's trades; \"orders tied on price\" counts the orders whose price equals another order's on the same side of the book (the ties a mechanism must break). The last column counts the runs whose every cleared trade (step, parties, price, quantity) and its commit or void are those of the paired run in {e.Reference.Name} (same method, N and seed).").AppendLine();
        StudyMarkdown.Table(
            w,
            ["variant", "method", "books", "identical reversed", "reproduced", "orders tied on price", $"runs with the outcome of {e.Reference.Name}"],
            cells.Select(c => (string[])[c.Variant.Name, c.Method.Name, Count(c.Books), Count(c.Identical), Count(c.Reproduced),
                $"{Count(c.Tied)} of {Count(c.Orders)}", $"{Count(SameAsReference(c.Variant, c.Method))} of {Count(plan.Agents.Count * plan.Seeds.Count)}"]));

        var unordered = plan.Variants.Where(v => cells.Where(c => c.Variant == v).All(c => c.Stats.BooksRanked == 0)).ToArray();
        if (unordered.Length > 0)
        {
            w.AppendLine(Invariant, $"No arrival order in {string.Join(", ", unordered.Select(v => $"**{v.Name}**"))}: every order of a step reached the coordinator at the same simulated time.").AppendLine();
        }

        var pairs = (from c in cells
                     from side in new[] { c.Stats.Buyers, c.Stats.Sellers }
                     from a in Enumerable.Range(0, bins)
                     from b in Enumerable.Range(a + 1, bins - a - 1)
                     where side[a].Orders > 1 && side[b].Orders > 1
                     select Differs(side[a], side[b])).ToArray();
        w.AppendLine(Invariant, $"Of the {pairs.Length} pairs of bins of one variant, method and side (both with two orders or more), {pairs.Count(d => d)} differ in mean utility by more than the half-width of the normal 95 % interval of their difference (sqrt(h1^2 + h2^2)); with no arrival effect about 5 % would by chance. Orders of one book are not independent (they share its supply), so read the intervals as approximate.").AppendLine();

        foreach (var v in plan.Variants.Except(unordered))
        {
            var mine = cells.Where(c => c.Variant == v).ToArray();
            w.AppendLine(Invariant, $"**{v.Name}**: {mine.Sum(c => c.Stats.BooksRanked)} books ranked, {mine.Sum(c => c.Stats.BooksUnordered)} without an arrival order, {mine.Sum(c => c.Stats.LateOrders)} orders rejected as late (over all methods).").AppendLine();
            StudyMarkdown.Table(
                w,
                ["method", "side", "arrival bin", "orders", "slow share", "match rate", "traded share", "price advantage (AUD/kWh)", "mean utility (AUD) +- 95 %"],
                from c in mine
                from side in new[] { "buyers", "sellers" }
                from k in Enumerable.Range(0, bins)
                let bin = (side == "buyers" ? c.Stats.Buyers : c.Stats.Sellers)[k]
                select (string[])[c.Method.Name, side, Label(k, bins), bin.Orders.ToString(Invariant), StudyMarkdown.F(bin.SlowShare), StudyMarkdown.F(bin.MatchRate),
                    StudyMarkdown.F(bin.MeanTradedShare), StudyMarkdown.F(bin.MeanPriceAdvantage), $"{StudyMarkdown.F(bin.MeanUtilityAud)} +- {StudyMarkdown.F(bin.MeanUtilityHalfWidthAud)}"]);
        }

        Directory.CreateDirectory(Path.Combine(dir, StudyCharts.Folder));
        var charts = plan.Methods.Select(m =>
        {
            string name = $"{e.Name}-order-{m.Name}.png";
            Chart(m, plan.Variants.Except(unordered).Select(v => (v.Name, cells.Single(c => c.Variant == v && c.Method == m).Stats)), bins)
                .SavePng(Path.Combine(dir, StudyCharts.Folder, name), 800, 480);
            return new StudyChart(e.Name, name, $"{m.Name}: mean utility per order (AUD) against its arrival bin within the step, per variant; buyers solid with circles, sellers dashed with squares. A line falling from left to right would mean that arriving earlier pays.");
        }).ToArray();
        StudyMarkdown.Charts(w, charts);
    }

    /// <summary>One run: its statistics and the order check of its books with <paramref name="mechanism"/>.</summary>
    public static RunResult Run(string runDir, string mechanism, ClearingConfig clearing, int bins)
    {
        var ledger = ArrivalOrder.ReadLedger(V2V.Coordinator.Ledger.LedgerJson.ReadFile(Path.Combine(runDir, V2V.Host.Run.RunFolder.Ledger)));
        var stats = ArrivalOrder.Of(ledger, ArrivalOrder.SlowAgents(Path.Combine(runDir, RunDetails.AgentsFile)), bins);
        var clearer = ClearingMechanisms.Create(mechanism, clearing);
        int books = 0;
        int identical = 0;
        int reproduced = 0;
        int tied = 0;
        foreach (var book in ledger.Books.Where(b => b.Orders.Count > 0))
        {
            var inOrder = clearer.Clear(Book(book.Orders, reversed: false, clearing)).Trades;
            var reverse = clearer.Clear(Book(book.Orders, reversed: true, clearing)).Trades;
            books++;
            identical += inOrder.SequenceEqual(reverse) ? 1 : 0;
            reproduced += IncentiveProbe.Reproduces(inOrder, book.Cleared) ? 1 : 0;
            tied += book.Orders.GroupBy(o => (o.Side, o.Price)).Where(g => g.Count() > 1).Sum(g => g.Count());
        }

        return new RunResult(stats, books, identical, reproduced, ledger.Books.Sum(b => b.Orders.Count), tied, [.. ledger.Books.SelectMany(b => b.Cleared.Select(t => (t, b.Committed.Contains(t.Trade))))]);
    }

    /// <summary>arrival-order.csv: one row per variant, method, side and bin, the sums and the means.</summary>
    public static string Csv(IEnumerable<(string Variant, string Method, ArrivalOrderStats Stats)> cells, int bins)
    {
        var w = new StringBuilder("variant,method,side,bin,bins,orders,matched,slow_orders,match_rate,mean_traded_share,mean_price_advantage_aud_per_kwh,mean_utility_aud,mean_utility_halfwidth95_aud,books_ranked,books_unordered,late_orders\n");
        foreach (var (variant, method, s) in cells)
        {
            foreach (var (side, list) in new[] { ("buyer", s.Buyers), ("seller", s.Sellers) })
            {
                for (int k = 0; k < bins; k++)
                {
                    var b = list[k];
                    w.Append(Invariant, $"{variant},{method},{side},{k},{bins},{b.Orders},{b.Matched},{b.SlowOrders},")
                        .AppendJoin(',', new[] { b.MatchRate, b.MeanTradedShare, b.MeanPriceAdvantage, b.MeanUtilityAud, b.MeanUtilityHalfWidthAud }.Select(StudyReport.Number))
                        .Append(Invariant, $",{s.BooksRanked},{s.BooksUnordered},{s.LateOrders}\n");
                }
            }
        }

        return w.ToString();
    }

    private static bool Differs(ArrivalBin a, ArrivalBin b) =>
        Math.Abs(a.MeanUtilityAud - b.MeanUtilityAud) > Math.Sqrt((a.MeanUtilityHalfWidthAud * a.MeanUtilityHalfWidthAud) + (b.MeanUtilityHalfWidthAud * b.MeanUtilityHalfWidthAud));

    private static string Count(int n) => n.ToString(Invariant);

    // The bin's label: its range of arrival quantiles, the first and last named.
    private static string Label(int k, int bins) =>
        $"{k + 1} of {bins}{(k == 0 ? " (first)" : k == bins - 1 ? " (last)" : "")}";

    private static string Fraction(int bins) => bins switch
    {
        2 => "half",
        3 => "third",
        4 => "quarter",
        _ => $"1/{bins}",
    };

    private static OrderBook Book(IReadOnlyList<V2V.Coordinator.Ledger.OrderAccepted> orders, bool reversed, ClearingConfig clearing)
    {
        var sequence = reversed ? orders.Reverse() : orders;
        var bids = sequence.Where(o => o.Side == "buyer").Select(o => new Order(o.Agent, o.Price, o.Quantity)).ToArray();
        var asks = sequence.Where(o => o.Side != "buyer").Select(o => new Order(o.Agent, o.Price, o.Quantity)).ToArray();
        return new OrderBook(bids, asks, clearing.EpsilonAud);
    }

    private static Plot Chart(StudyMethod method, IEnumerable<(string Variant, ArrivalOrderStats Stats)> variants, int bins)
    {
        var plot = new Plot();
        plot.Title($"{method.Name}: utility by arrival order within the step");
        plot.XLabel($"arrival bin within the step's book (1 = first 1/{bins} of arrivals)");
        plot.YLabel("mean utility per order, AUD");
        plot.ShowLegend(Edge.Right);
        double[] xs = [.. Enumerable.Range(1, bins).Select(k => (double)k)];
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, [.. xs.Select(x => Label((int)x - 1, bins))]);
        int colour = 0;
        foreach (var (variant, stats) in variants)
        {
            var color = plot.Add.Palette.GetColor(colour++);
            foreach (var (side, list, pattern, marker) in new[]
            {
                ("buyers", stats.Buyers, LinePattern.Solid, MarkerShape.FilledCircle),
                ("sellers", stats.Sellers, LinePattern.Dashed, MarkerShape.FilledSquare),
            })
            {
                var points = xs.Zip(list.Select(b => b.MeanUtilityAud)).Where(p => double.IsFinite(p.Second)).ToArray();
                if (points.Length == 0)
                {
                    continue;
                }

                var line = plot.Add.Scatter(points.Select(p => p.First).ToArray(), points.Select(p => p.Second).ToArray(), color);
                line.LegendText = $"{variant} {side}";
                line.LinePattern = pattern;
                line.LineWidth = 2;
                line.MarkerSize = 6;
                line.MarkerShape = marker;
            }
        }

        return plot;
    }
}
