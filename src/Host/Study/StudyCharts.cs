using System.Globalization;
using ScottPlot;

namespace V2V.Host.Study;

/// <summary>One chart of the report: the report section it belongs to, its PNG under charts/ and its caption.</summary>
internal sealed record StudyChart(string Section, string FileName, string Caption);

/// <summary>
/// The report's charts (ScottPlot, PNG in DIR/charts/), every point computed from the run folders and the training
/// logs: SW, volume, Jain and Gini against N per method (the median over seeds), the distribution of committed
/// trade prices per method, Lorenz curves of the per-agent utility at the largest N, the training curves of each
/// model, and for an experiment its metrics against the variants' x. A plain study's charts use its one variant;
/// an experiment's study charts use its reference variant.
/// </summary>
internal static class StudyCharts
{
    public const string Folder = "charts";

    public const string StudySection = "study";

    private const int Width = 800;

    private const int Height = 480;

    private const int PriceBins = 40;

    // Training curves are smoothed by a trailing mean over this many episodes (a one-episode SW is very noisy).
    private const int TrainingWindowEpisodes = 50;

    public static IReadOnlyList<StudyChart> Write(
        string dir, StudyPlan plan, IReadOnlyList<RunRow> rows, IReadOnlyDictionary<StudyRun, RunDetails> details)
    {
        string folder = Path.Combine(dir, Folder);
        Directory.CreateDirectory(folder);
        var reference = rows.Where(r => r.Run.Variant == plan.Variants[0]).ToArray();
        var charts = new List<StudyChart>();
        void Save(Plot plot, string section, string name, string caption)
        {
            plot.SavePng(Path.Combine(folder, name), Width, Height);
            charts.Add(new StudyChart(section, name, caption));
        }

        foreach (var (metric, label, name) in new[]
        {
            ("social_welfare_aud", "SW (AUD)", "sw-vs-n.png"),
            ("volume_kwh", "volume (kWh)", "volume-vs-n.png"),
            ("jain", "Jain index of per-agent utility", "jain-vs-n.png"),
            ("gini", "Gini index of per-agent utility", "gini-vs-n.png"),
        })
        {
            Save(AgainstN(plan, reference, metric, label), StudySection, name, $"{label} against N per method: the median over {plan.Seeds.Count} seed(s) of each run's value. Lines that coincide hide each other.");
        }

        Save(Prices(plan, details), StudySection, "prices.png",
            $"Distribution of the committed trade prices per method, quantity-weighted, pooled over all of its runs ({PriceBins} bins).");
        int largest = plan.Agents.Max();
        Save(Lorenz(plan, details, largest), StudySection, "lorenz.png",
            $"Lorenz curves of the per-agent utility at N = {largest} (every EV ever active, pooled over seeds); the diagonal is equality. A curve below 0 means some agents lost money.");
        foreach (var (plot, name, caption) in Training(dir, plan))
        {
            Save(plot, StudySection, name, caption);
        }

        if (plan.Experiment is { } e && plan.Variants.Count > 1)
        {
            var xs = ExperimentAxis.Of(plan, e, rows);
            foreach (var metric in e.Metrics)
            {
                Save(AgainstX(plan, e, rows, xs, metric), e.Name, $"{e.Name}-{metric}.png",
                    $"{metric} against {(e.XLogarithmic ? "log10 of " : "")}{e.XLabel} per method: the median over N and seeds in each variant (paired runs: same N and seeds in every variant). Lines that coincide hide each other.");
            }
        }

        return charts;
    }

    private static Plot AgainstN(StudyPlan plan, IReadOnlyList<RunRow> rows, string metric, string label)
    {
        var plot = NewPlot($"{label} against N", "N (EVs parked at step 0)", label);
        foreach (var method in plan.Methods)
        {
            var points = plan.Agents.Order().Select(n => (X: (double)n, Y: StudyStatistics.Median(
                rows.Where(r => r.Run.Method == method && r.Run.Agents == n).Select(r => r.Metric(metric)).ToArray()))).ToArray();
            Line(plot, points, method.Name);
        }

        return plot;
    }

    private static Plot AgainstX(StudyPlan plan, StudyExperiment e, IReadOnlyList<RunRow> rows, IReadOnlyDictionary<StudyVariant, double> xs, string metric)
    {
        var plot = NewPlot($"{e.Name}: {metric}", e.XLogarithmic ? $"log10 of {e.XLabel}" : e.XLabel, metric);
        foreach (var method in plan.Methods)
        {
            var points = e.MainVariants.Select(v => (X: e.XLogarithmic ? Math.Log10(xs[v]) : xs[v], Y: StudyStatistics.Median(
                rows.Where(r => r.Run.Variant == v && r.Run.Method == method).Select(r => r.Metric(metric)).ToArray()))).OrderBy(p => p.X).ToArray();
            Line(plot, points, method.Name);
        }

        return plot;
    }

    private static Plot Prices(StudyPlan plan, IReadOnlyDictionary<StudyRun, RunDetails> details)
    {
        var plot = NewPlot("Committed trade prices", "price (AUD/kWh)", "share of traded kWh per bin");
        var all = details.Values.SelectMany(d => d.TradePricesAudPerKwh).ToArray();
        if (all.Length == 0)
        {
            plot.Title("Committed trade prices: no trade committed in any run");
            return plot;
        }

        double lo = all.Min();
        double hi = all.Max();
        double width = hi > lo ? (hi - lo) / PriceBins : 1e-3;
        foreach (var method in plan.Methods)
        {
            var mine = details.Where(d => d.Key.Method == method).Select(d => d.Value).ToArray();
            var weights = new double[PriceBins];
            foreach (var d in mine)
            {
                for (int i = 0; i < d.TradePricesAudPerKwh.Count; i++)
                {
                    int bin = Math.Clamp((int)((d.TradePricesAudPerKwh[i] - lo) / width), 0, PriceBins - 1);
                    weights[bin] += d.TradeQuantitiesKwh[i];
                }
            }

            double total = weights.Sum();
            if (total > 0)
            {
                Line(plot, [.. weights.Select((w, b) => (lo + (b + 0.5) * width, w / total))], method.Name);
            }
        }

        return plot;
    }

    private static Plot Lorenz(StudyPlan plan, IReadOnlyDictionary<StudyRun, RunDetails> details, int agents)
    {
        var plot = NewPlot($"Lorenz curves of per-agent utility, N = {agents}", "cumulative share of agents (poorest first)", "cumulative share of total utility");
        plot.Add.Line(0, 0, 1, 1).LineColor = Colors.Gray;
        foreach (var method in plan.Methods)
        {
            var utilities = details.Where(d => d.Key.Method == method && d.Key.Agents == agents)
                .SelectMany(d => d.Value.ActiveUtilitiesAud).Order().ToArray();
            double total = utilities.Sum();
            if (utilities.Length == 0 || total == 0)
            {
                continue;
            }

            var points = new (double, double)[utilities.Length + 1];
            double cumulative = 0;
            points[0] = (0, 0);
            for (int i = 0; i < utilities.Length; i++)
            {
                cumulative += utilities[i];
                points[i + 1] = ((i + 1.0) / utilities.Length, cumulative / total);
            }

            Line(plot, points, method.Name, markers: false);
        }

        return plot;
    }

    private static IEnumerable<(Plot Plot, string Name, string Caption)> Training(string dir, StudyPlan plan)
    {
        var logs = plan.Methods.Where(m => m.Training is not null).DistinctBy(m => m.Training!.Name)
            .Select(m => (Name: m.Training!.Name, Csv: Path.Combine(StudyModels.ModelDir(dir, m), V2V.Host.Train.TrainingCsv.FileName)))
            .Where(l => File.Exists(l.Csv)).Select(l => (l.Name, Table: TrainingLog.Read(l.Csv))).ToArray();
        if (logs.Length == 0)
        {
            yield break;
        }

        foreach (var (column, label, name) in new[]
        {
            ("social_welfare_aud", "training-episode SW (AUD)", "training-sw.png"),
            ("mean_reward", "mean reward per agent-step", "training-reward.png"),
        })
        {
            var plot = NewPlot($"Training: {label}", "episode", $"{label}, trailing mean of {TrainingWindowEpisodes}");
            foreach (var (model, table) in logs)
            {
                Line(plot, TrainingLog.TrailingMean(table.Episodes, table.Column(column), TrainingWindowEpisodes), model, markers: false);
            }

            yield return (plot, name, $"Training curves from each model's training.csv: {label} per episode, trailing mean over {TrainingWindowEpisodes} episodes (the training N varies per episode).");
        }
    }

    private static Plot NewPlot(string title, string x, string y)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static void Line(Plot plot, IReadOnlyList<(double X, double Y)> points, string label, bool markers = true)
    {
        var finite = points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToArray();
        if (finite.Length == 0)
        {
            return;
        }

        var line = plot.Add.Scatter(finite.Select(p => p.X).ToArray(), finite.Select(p => p.Y).ToArray());
        line.LegendText = label;
        line.MarkerSize = markers ? 6 : 0;
        line.LineWidth = 2;
    }

    internal static string Show(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
