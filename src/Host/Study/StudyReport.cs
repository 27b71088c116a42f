using System.Globalization;
using System.Text;
using V2V.Host.Output;

namespace V2V.Host.Study;

/// <summary>
/// The study's tables in DIR: runs.csv (one row per run), summary.csv (per method and metric: the runs, median, Q1,
/// Q3, IQR and the relative change of the median against the baseline's median), the charts in charts/
/// (<see cref="StudyCharts"/>), report.md (<see cref="StudyMarkdown"/>, <see cref="ExperimentMarkdown"/>) and the
/// self-contained report.html made from it (<see cref="StudyHtml"/>). Every number comes from the run folders except <see cref="PublishedFigures"/>.
/// </summary>
internal static class StudyReport
{
    public const string RunsFile = "runs.csv";

    public const string SummaryFile = "summary.csv";

    public const string MarkdownFile = "report.md";

    public const string HtmlFile = "report.html";

    /// <summary>Writes runs.csv, summary.csv, the charts, report.md and report.html; returns the charts' count.</summary>
    public static int Write(
        string dir, StudyPlan plan, IReadOnlyList<RunRow> rows, IReadOnlyDictionary<StudyVariant, V2V.Market.Configuration.MarketConfig> markets, int parallelism)
    {
        var summary = Summarize(plan, rows);
        bool experiment = plan.Experiment is not null;
        AtomicFile.WriteText(Path.Combine(dir, RunsFile), RunsCsv(rows, experiment));
        AtomicFile.WriteText(Path.Combine(dir, SummaryFile), SummaryCsv(summary, experiment));
        var reference = plan.Variants[0];
        var details = rows.Where(r => r.Run.Variant == reference)
            .ToDictionary(r => r.Run, r => RunDetails.Read(StudyRunner.RunDir(dir, r.Run)));
        var charts = StudyCharts.Write(dir, plan, rows, details);
        var markdown = new StringBuilder(StudyMarkdown.Render(
            plan, [.. rows.Where(r => r.Run.Variant == reference)], [.. summary.Where(s => s.Variant == reference.Name)]));
        markdown.AppendLine("## Charts").AppendLine();
        StudyMarkdown.Charts(markdown, charts.Where(c => c.Section == StudyCharts.StudySection).ToArray());
        if (plan.Experiment is { } e)
        {
            ExperimentMarkdown.Render(markdown, plan, e, rows, charts.Where(c => c.Section == e.Name).ToArray());
            if (e.MisreportMarkups.Count > 0)
            {
                IncentiveSection.Render(markdown, dir, plan, e, markets, parallelism);
            }

            if (e.ArrivalOrderBins > 0)
            {
                ArrivalOrderSection.Render(markdown, dir, plan, e, markets, parallelism);
            }

            if (e.NodeLoss is { } nodeLoss)
            {
                NodeLossSection.Render(markdown, dir, plan, e, nodeLoss, rows);
            }
        }

        AtomicFile.WriteText(Path.Combine(dir, MarkdownFile), markdown.ToString());
        AtomicFile.WriteText(Path.Combine(dir, HtmlFile), StudyHtml.Render(markdown.ToString(), dir));
        return Directory.GetFiles(Path.Combine(dir, StudyCharts.Folder), "*.png").Length;
    }

    /// <summary>One method's aggregate of one metric over its runs (in one variant of an experiment; "" otherwise).</summary>
    internal sealed record SummaryRow(string Variant, string Method, string Metric, int Runs, double Median, double Q1, double Q3, double RelativeChange)
    {
        public double Iqr => Q3 - Q1;
    }

    public static IReadOnlyList<SummaryRow> Summarize(StudyPlan plan, IReadOnlyList<RunRow> rows)
    {
        var result = new List<SummaryRow>();
        foreach (var variant in plan.Variants)
        {
            var inVariant = rows.Where(r => r.Run.Variant == variant).ToArray();
            var baseline = inVariant.Where(r => r.Run.Method.Name == plan.Baseline).ToArray();
            foreach (var method in plan.Methods)
            {
                var mine = inVariant.Where(r => r.Run.Method.Name == method.Name).ToArray();
                for (int k = 0; k < mine[0].Metrics.Count; k++)
                {
                    var values = mine.Select(r => r.Metrics[k].Value).ToArray();
                    double median = StudyStatistics.Median(values);
                    double reference = StudyStatistics.Median(baseline.Select(r => r.Metrics[k].Value).ToArray());
                    result.Add(new SummaryRow(
                        variant.Name, method.Name, mine[0].Metrics[k].Metric, values.Length, median,
                        StudyStatistics.Quantile(values, 0.25), StudyStatistics.Quantile(values, 0.75),
                        StudyStatistics.RelativeChange(median, reference)));
                }
            }
        }

        return result;
    }

    public static string RunsCsv(IReadOnlyList<RunRow> rows, bool withVariant)
    {
        var w = new StringBuilder((withVariant ? "variant," : "") + "method,policy,mechanism,agents,seed," + string.Join(',', RunRow.MetricNames) + "\n");
        foreach (var r in rows)
        {
            if (withVariant)
            {
                w.Append(r.Run.Variant.Name).Append(',');
            }

            w.Append(CultureInfo.InvariantCulture, $"{r.Run.Method.Name},{r.Run.Method.Policy},{r.Run.Method.Mechanism},{r.Run.Agents},{r.Run.Seed}");
            foreach (var (_, value) in r.Metrics)
            {
                w.Append(',').Append(Number(value));
            }

            w.Append('\n');
        }

        return w.ToString();
    }

    public static string SummaryCsv(IReadOnlyList<SummaryRow> rows, bool withVariant)
    {
        var w = new StringBuilder((withVariant ? "variant," : "") + "method,metric,runs,median,q1,q3,iqr,median_relative_change_vs_baseline\n");
        foreach (var r in rows)
        {
            if (withVariant)
            {
                w.Append(r.Variant).Append(',');
            }

            w.Append(CultureInfo.InvariantCulture, $"{r.Method},{r.Metric},{r.Runs},{Number(r.Median)},{Number(r.Q1)},{Number(r.Q3)},{Number(r.Iqr)},{Number(r.RelativeChange)}\n");
        }

        return w.ToString();
    }

    /// <summary>Round-trip text; NaN as an empty cell, infinity as "inf".</summary>
    internal static string Number(double value) => value switch
    {
        double.NaN => "",
        double.PositiveInfinity => "inf",
        double.NegativeInfinity => "-inf",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
