using V2V.Agents.Policies;
using V2V.Host.Configuration;
using V2V.Learning.Maddpg;

namespace V2V.Host.Study;

/// <summary>
/// One method of SPEC 6 and 9 as <c>v2v.methods.NAME</c> declares it: a bidding policy, a clearing mechanism and,
/// for a learned policy, the reward it trains on (<see cref="Training"/>, null for the built-in policies).
/// </summary>
internal sealed record StudyMethod(string Name, string Policy, string Mechanism, TrainingMethod? Training);

/// <summary>One run of the grid: a method at N EVs with one seed (in one variant of an experiment); its folder under runs/.</summary>
internal sealed record StudyRun(StudyMethod Method, int Agents, int Seed, StudyVariant Variant)
{
    public StudyRun(StudyMethod method, int agents, int seed)
        : this(method, agents, seed, StudyVariant.Default)
    {
    }

    /// <summary>METHOD-nN-sSEED, under VARIANT/ in an experiment.</summary>
    public string FolderName => Variant.Name.Length == 0 ? $"{Method.Name}-n{Agents}-s{Seed}" : $"{Variant.Name}/{Method.Name}-n{Agents}-s{Seed}";

    /// <summary>The same cell in another variant: the pair of this run.</summary>
    public StudyRun In(StudyVariant variant) => this with { Variant = variant };
}

/// <summary>
/// The typed view of <c>v2v.evaluation</c> (the grid: methods x agents x seeds, the days per run, the baseline)
/// and of the methods it names under <c>v2v.methods</c> (or, in an experiment, <c>experiment.methods</c>), with the
/// experiment's variants when the configuration declares one (<see cref="StudyExperiment"/>). Every error names its
/// key (exit 2).
/// </summary>
internal sealed record StudyPlan(
    IReadOnlyList<StudyMethod> Methods, IReadOnlyList<int> Agents, IReadOnlyList<int> Seeds, int Days, string Baseline, StudyExperiment? Experiment = null)
{
    private const string Evaluation = "v2v.evaluation";

    private static readonly IReadOnlyList<string> Rewards = ["nash-guided", "trade-utility"];

    /// <summary>The variants every cell runs in: the experiment's, or the one default variant of a plain study.</summary>
    public IReadOnlyList<StudyVariant> Variants => Experiment?.Variants ?? [StudyVariant.Default];

    /// <summary>Every run of the grid, variant-major, then method, then N, then seed.</summary>
    public IReadOnlyList<StudyRun> Runs() =>
        [.. from v in Variants from m in Methods from n in Agents from s in Seeds select new StudyRun(m, n, s, v)];

    public static StudyPlan Bind(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var names = config.GetStringList($"{Evaluation}.methods");
        RequireDistinctNonEmpty(config, $"{Evaluation}.methods", names);
        var methods = names.Select((name, i) => BindMethod(config, name, $"{Evaluation}.methods.[{i}]")).ToArray();
        var agents = config.GetIntList($"{Evaluation}.agents");
        RequireDistinctNonEmpty(config, $"{Evaluation}.agents", agents);
        if (agents.FirstOrDefault(n => n < 1) is var bad && agents.Any(n => n < 1))
        {
            throw config.Error($"{Evaluation}.agents", $"every N must be at least 1, got {bad}");
        }

        var seeds = config.GetIntList($"{Evaluation}.seeds");
        RequireDistinctNonEmpty(config, $"{Evaluation}.seeds", seeds);
        if (seeds.Any(s => s < 0))
        {
            throw config.Error($"{Evaluation}.seeds", $"every seed must be at least 0, got {seeds.First(s => s < 0)}");
        }

        int days = config.GetIntAtLeast($"{Evaluation}.days", 1);
        string baseline = config.GetString($"{Evaluation}.baseline");
        if (!names.Contains(baseline, StringComparer.Ordinal))
        {
            throw config.Error($"{Evaluation}.baseline", $"'{baseline}' is not one of the evaluated methods ({string.Join(", ", names)})");
        }

        return new StudyPlan(methods, agents, seeds, days, baseline, StudyExperiment.Bind(config, RunRow.MetricNames));
    }

    private static StudyMethod BindMethod(Config config, string name, string listItem)
    {
        string extra = $"{StudyExperiment.Root}.methods";
        string path = config.HasPath($"v2v.methods.{name}") ? $"v2v.methods.{name}" : $"{extra}.{name}";
        if (!config.HasPath(path))
        {
            var known = config.GetConfig("v2v.methods").Keys.Concat(config.HasPath(extra) ? config.GetConfig(extra).Keys : []);
            string where = config.HasPath(extra) ? $"v2v.methods or {extra}" : "v2v.methods";
            throw config.Error(listItem, $"'{name}' is not a method under {where} ({string.Join(", ", known)})");
        }

        string policy = config.GetOneOf($"{path}.policy", MarketConfigBinder.PolicyKinds);
        string mechanism = config.GetOneOf($"{path}.mechanism", MarketConfigBinder.Mechanisms);
        TrainingMethod? training = null;
        if (policy == Policies.Learned)
        {
            if (!config.HasPath($"{path}.reward"))
            {
                throw config.Error(path, $"a learned method needs a reward ({string.Join(" or ", Rewards)})");
            }

            string reward = config.GetOneOf($"{path}.reward", Rewards);
            training = reward == "nash-guided" ? TrainingMethod.NashMaddpg : TrainingMethod.LearningOnly;
        }
        else if (config.HasPath($"{path}.reward"))
        {
            throw config.Error($"{path}.reward", $"only a learned method trains on a reward; the policy is '{policy}'");
        }

        return new StudyMethod(name, policy, mechanism, training);
    }

    private static void RequireDistinctNonEmpty<T>(Config config, string path, IReadOnlyList<T> values)
    {
        if (values.Count == 0)
        {
            throw config.Error(path, "is empty; list at least one value");
        }

        if (values.GroupBy(v => v).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw config.Error(path, $"lists {twice.Key} twice");
        }
    }
}
