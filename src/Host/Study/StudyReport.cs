using System.Globalization;
using System.Text;
using V2V.Host.Output;

namespace V2V.Host.Study;

/// <summary>
/// The study's tables in DIR: runs.csv (one row per run), summary.csv (per method and metric: the runs, median, Q1,
/// Q3, IQR and the relative change of the median against the baseline's median) and report.md
/// (<see cref="StudyMarkdown"/>). Every number comes from the run folders except <see cref="PublishedFigures"/>.
/// </summary>
internal static class StudyReport
{
    public const string RunsFile = "runs.csv";

    public const string SummaryFile = "summary.csv";

    public const string MarkdownFile = "report.md";

    public static void Write(string dir, StudyPlan plan, IReadOnlyList<RunRow> rows)
    {
        var summary = Summarize(plan, rows);
        AtomicFile.WriteText(Path.Combine(dir, RunsFile), RunsCsv(rows));
        AtomicFile.WriteText(Path.Combine(dir, SummaryFile), SummaryCsv(summary));
        AtomicFile.WriteText(Path.Combine(dir, MarkdownFile), StudyMarkdown.Render(plan, rows, summary));
    }

    /// <summary>One method's aggregate of one metric over its runs.</summary>
    internal sealed record SummaryRow(string Method, string Metric, int Runs, double Median, double Q1, double Q3, double RelativeChange)
    {
        public double Iqr => Q3 - Q1;
    }

    public static IReadOnlyList<SummaryRow> Summarize(StudyPlan plan, IReadOnlyList<RunRow> rows)
    {
        var result = new List<SummaryRow>();
        var baseline = rows.Where(r => r.Run.Method.Name == plan.Baseline).ToArray();
        foreach (var method in plan.Methods)
        {
            var mine = rows.Where(r => r.Run.Method.Name == method.Name).ToArray();
            for (int k = 0; k < mine[0].Metrics.Count; k++)
            {
                var values = mine.Select(r => r.Metrics[k].Value).ToArray();
                double median = StudyStatistics.Median(values);
                double reference = StudyStatistics.Median(baseline.Select(r => r.Metrics[k].Value).ToArray());
                result.Add(new SummaryRow(
                    method.Name, mine[0].Metrics[k].Metric, values.Length, median,
                    StudyStatistics.Quantile(values, 0.25), StudyStatistics.Quantile(values, 0.75),
                    StudyStatistics.RelativeChange(median, reference)));
            }
        }

        return result;
    }

    public static string RunsCsv(IReadOnlyList<RunRow> rows)
    {
        var w = new StringBuilder("method,policy,mechanism,agents,seed," + string.Join(',', rows[0].Metrics.Select(m => m.Metric)) + "\n");
        foreach (var r in rows)
        {
            w.Append(CultureInfo.InvariantCulture, $"{r.Run.Method.Name},{r.Run.Method.Policy},{r.Run.Method.Mechanism},{r.Run.Agents},{r.Run.Seed}");
            foreach (var (_, value) in r.Metrics)
            {
                w.Append(',').Append(Number(value));
            }

            w.Append('\n');
        }

        return w.ToString();
    }

    public static string SummaryCsv(IReadOnlyList<SummaryRow> rows)
    {
        var w = new StringBuilder("method,metric,runs,median,q1,q3,iqr,median_relative_change_vs_baseline\n");
        foreach (var r in rows)
        {
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
