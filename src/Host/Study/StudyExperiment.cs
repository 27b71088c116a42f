using V2V.Host.Configuration;

namespace V2V.Host.Study;

/// <summary>
/// One variant of an experiment: a name (its folder under runs/), the overrides its runs add to the study's
/// configuration (each as `v2v run --set` takes it) and, where the experiment plots against a set value, its x.
/// The default variant of a plain study has an empty name and no overrides. A variant of an experiment's second arm
/// (<paramref name="Arm"/>, e.g. the node losses of <see cref="NodeLossArm"/>) is paired with the reference like the
/// others but stays off the experiment's x axis, whose meaning it does not share.
/// </summary>
internal sealed record StudyVariant(string Name, IReadOnlyList<string> Sets, double? X, string? Arm = null)
{
    public static StudyVariant Default { get; } = new("", [], null);
}

/// <summary>
/// The top-level <c>experiment</c> block of an experiment configuration (outside <c>v2v</c>, so reference.conf
/// keeps its keys): a title and the question it asks, the variants (paired runs: every variant runs the same
/// methods x N x seeds), what the charts plot the metrics against (a variant's own <c>x</c>, or the median of a
/// runs.csv column over the variant's runs; on a log10 axis with <c>x-log = true</c>), the metrics charted, a reading note and, under <c>methods</c>, extra
/// method pairings declared like <c>v2v.methods</c>; with <c>misreport-markups</c>, the one-agent misreport probe
/// (<see cref="IncentiveProbe"/>) on the reference variant's runs; with <c>arrival-order-bins</c>, the analysis of
/// arrival order within a step (<see cref="ArrivalOrderSection"/>) over every variant's runs; with <c>node-loss</c>,
/// the node-loss arm (<see cref="NodeLossArm"/>): one variant per K appended to the declared ones. The first variant is
/// the reference: paired changes are against it on the same method, N and seed.
/// </summary>
internal sealed record StudyExperiment(
    string Name,
    string Title,
    string Question,
    string XLabel,
    string? XMetric,
    IReadOnlyList<string> Metrics,
    IReadOnlyList<StudyVariant> Variants,
    string Note,
    IReadOnlyList<double> MisreportMarkups,
    bool XLogarithmic = false,
    int ArrivalOrderBins = 0,
    NodeLossArm? NodeLoss = null)
{
    public const string Root = "experiment";

    public StudyVariant Reference => Variants[0];

    /// <summary>The variants on the experiment's own x axis: the declared ones, without a second arm's.</summary>
    public IReadOnlyList<StudyVariant> MainVariants => [.. Variants.Where(v => v.Arm is null)];

    public static StudyExperiment? Bind(Config config, IReadOnlyList<string> knownMetrics)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.HasPath(Root))
        {
            return null;
        }

        var c = config.GetConfig(Root);
        string name = c.GetString("name");
        string? xMetric = c.HasPath("x-metric") ? c.GetOneOf("x-metric", knownMetrics) : null;
        var metrics = c.GetStringList("metrics");
        for (int i = 0; i < metrics.Count; i++)
        {
            if (!knownMetrics.Contains(metrics[i], StringComparer.Ordinal))
            {
                throw c.Error($"metrics.[{i}]", $"'{metrics[i]}' is not a column of runs.csv ({string.Join(", ", knownMetrics)})");
            }
        }

        var variantsConfig = c.GetConfig("variants");
        if (variantsConfig.Keys.Count == 0)
        {
            throw c.Error("variants", "is empty; declare at least one variant");
        }

        var variants = variantsConfig.Keys.Select(key =>
        {
            var v = variantsConfig.GetConfig(key);
            if (!key.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '-'))
            {
                throw variantsConfig.Error(key, "a variant's name is its folder name: use letters, digits and '-'");
            }

            IReadOnlyList<string> sets = v.HasPath("set") ? v.GetStringList("set") : [];
            double? x = v.HasPath("x") ? v.GetDouble("x") : null;
            if (x is null && xMetric is null)
            {
                throw v.Error("x", "missing: give each variant an x, or the experiment an x-metric");
            }

            return new StudyVariant(key, sets, x);
        }).ToArray();
        var nodeLoss = c.HasPath(NodeLossArm.Key)
            ? NodeLossArm.Bind(c, config.GetInt("v2v.evaluation.days") * config.GetInt("v2v.time.steps-per-day"))
            : null;
        return new StudyExperiment(
            name, c.GetString("title"), c.GetString("question"), c.GetString("x-label"), xMetric, metrics,
            [.. variants, .. nodeLoss?.Variants() ?? []],
            c.HasPath("note") ? c.GetString("note") : "",
            c.HasPath("misreport-markups") ? c.GetDoubleList("misreport-markups") : [],
            c.HasPath("x-log") && c.GetBool("x-log"),
            c.HasPath("arrival-order-bins") ? ArrivalBins(c) : 0,
            nodeLoss);
    }

    private static int ArrivalBins(Config c)
    {
        int bins = c.GetInt("arrival-order-bins");
        return bins is >= 2 and <= ArrivalOrderSection.MaxBins
            ? bins
            : throw c.Error("arrival-order-bins", $"must be from 2 to {ArrivalOrderSection.MaxBins} (arrival quantile bins), got {bins}");
    }
}
