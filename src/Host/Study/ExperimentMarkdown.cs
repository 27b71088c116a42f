using System.Globalization;
using System.Text;

namespace V2V.Host.Study;

/// <summary>
/// An experiment's section of report.md: the question, the variants and their overrides, and per charted metric
/// two tables, variant x method: the median over the variant's runs (with its change against the baseline method
/// in that variant), and the paired change against the reference variant (the first): the median over the cells
/// (method, N, seed) of (value - reference value) / |reference value|, so seeds and N are compared with themselves.
/// </summary>
internal static class ExperimentMarkdown
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Render(StringBuilder w, StudyPlan plan, StudyExperiment e, IReadOnlyList<RunRow> rows, IReadOnlyList<StudyChart> charts)
    {
        var xs = ExperimentAxis.Of(plan, e, rows);
        w.AppendLine(Invariant, $"## Experiment: {e.Title}").AppendLine();
        w.AppendLine(e.Question).AppendLine();
        w.AppendLine(Invariant, $"Every variant runs the same methods x N x seeds (paired runs); the reference variant is **{e.Reference.Name}**. The study sections above use the reference variant's runs. The learned policies were trained once, on the configuration without a variant's overrides.").AppendLine();
        StudyMarkdown.Table(w, ["variant", e.XLabel, "overrides (v2v run --set)"], plan.Variants.Select(v =>
            (string[])[v.Name, v.Arm is null ? StudyMarkdown.F(xs[v]) : $"({v.Arm} arm)", v.Sets.Count == 0 ? "none" : string.Join("; ", v.Sets.Select(s => $"`{s}`"))]));
        var index = rows.ToDictionary(r => r.Run);
        foreach (var metric in e.Metrics)
        {
            w.AppendLine(Invariant, $"### {metric}").AppendLine();
            w.AppendLine(Invariant, $"Median over each variant's runs (change of the median against {plan.Baseline} in the same variant):").AppendLine();
            StudyMarkdown.Table(w, ["variant", .. plan.Methods.Select(m => m.Name)], plan.Variants.Select(v =>
                (string[])[v.Name, .. plan.Methods.Select(m => Cell(rows, v, m, plan.Baseline, metric))]));
            if (plan.Variants.Count > 1)
            {
                w.AppendLine(Invariant, $"Paired against {e.Reference.Name}: the median over N and seeds of the per-run difference (of the per-run relative change):").AppendLine();
                StudyMarkdown.Table(w, ["variant", .. plan.Methods.Select(m => m.Name)], plan.Variants.Skip(1).Select(v =>
                    (string[])[v.Name, .. plan.Methods.Select(m =>
                        $"{StudyMarkdown.F(Paired(index, plan, e.Reference, v, m, metric, (x, r) => x - r))} ({StudyMarkdown.Percent(PairedChange(index, plan, e.Reference, v, m, metric))})")]));
            }
        }

        StudyMarkdown.Charts(w, charts);
        if (e.Note.Length > 0)
        {
            w.AppendLine(e.Note).AppendLine();
        }
    }

    /// <summary>The median over the cells (N, seed) of the method of (value in v - value in reference) / |value in reference|.</summary>
    public static double PairedChange(
        IReadOnlyDictionary<StudyRun, RunRow> index, StudyPlan plan, StudyVariant reference, StudyVariant v, StudyMethod m, string metric) =>
        Paired(index, plan, reference, v, m, metric, StudyStatistics.RelativeChange);

    /// <summary>The median over the cells (N, seed) of the method of compare(value in v, value in reference), finite ones only.</summary>
    public static double Paired(
        IReadOnlyDictionary<StudyRun, RunRow> index, StudyPlan plan, StudyVariant reference, StudyVariant v, StudyMethod m, string metric,
        Func<double, double, double> compare) =>
        StudyStatistics.Median((
            from n in plan.Agents
            from s in plan.Seeds
            let run = new StudyRun(m, n, s, v)
            select compare(index[run].Metric(metric), index[run.In(reference)].Metric(metric)))
            .Where(double.IsFinite).ToArray());

    private static string Cell(IReadOnlyList<RunRow> rows, StudyVariant v, StudyMethod m, string baseline, string metric)
    {
        double median = MedianOf(rows, v, r => r.Run.Method == m, metric);
        double reference = MedianOf(rows, v, r => r.Run.Method.Name == baseline, metric);
        return m.Name == baseline ? StudyMarkdown.F(median) : $"{StudyMarkdown.F(median)} ({StudyMarkdown.Percent(StudyStatistics.RelativeChange(median, reference))})";
    }

    private static double MedianOf(IReadOnlyList<RunRow> rows, StudyVariant v, Func<RunRow, bool> which, string metric) =>
        StudyStatistics.Median(rows.Where(r => r.Run.Variant == v && which(r)).Select(r => r.Metric(metric)).ToArray());
}
