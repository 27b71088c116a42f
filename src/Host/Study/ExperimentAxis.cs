namespace V2V.Host.Study;

/// <summary>
/// Where each variant of an experiment sits on its charts' x axis: the variant's own <c>x</c>, or, when the
/// experiment names an <c>x-metric</c>, the median of that runs.csv column over the variant's runs (the
/// supply/demand ratio of the balance experiment is measured, not set).
/// </summary>
internal static class ExperimentAxis
{
    public static IReadOnlyDictionary<StudyVariant, double> Of(StudyPlan plan, StudyExperiment experiment, IReadOnlyList<RunRow> rows) =>
        plan.Variants.ToDictionary(v => v, v => experiment.XMetric is { } metric
            ? StudyStatistics.Median(rows.Where(r => r.Run.Variant == v).Select(r => r.Metric(metric)).ToArray())
            : v.X ?? double.NaN);
}
