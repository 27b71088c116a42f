using V2V.Learning.Networks;

namespace V2V.Learning.Maddpg;

/// <summary>SPEC 7: the reward terms' weights. Built only by the Host's binder or explicitly by a test.</summary>
public sealed record RewardConfig(double Kappa, double IrPenalty, double CollectiveJainWeight, double CollectiveMatchWeight);

/// <summary>
/// SPEC 7: Nash-MADDPG hyper-parameters, the typed view of <c>v2v.learning</c> in hocon/reference.conf.
/// <paramref name="ActorHidden"/> and <paramref name="CriticHidden"/> are the hidden widths (ReLU).
/// </summary>
public sealed record LearningConfig(
    int ActiveAgentsScale,
    IReadOnlyList<int> ActorHidden,
    IReadOnlyList<int> CriticHidden,
    double ActorLearningRate,
    double CriticLearningRate,
    double Gamma,
    double Tau,
    int ReplayCapacity,
    int BatchSize,
    int UpdatesPerStep,
    int WarmupTransitions,
    double OuTheta,
    double OuSigmaStart,
    double OuSigmaEnd,
    int Episodes,
    int EpisodeSteps,
    int TrainAgentsMin,
    int TrainAgentsMax,
    int CheckpointEveryEpisodes,
    RewardConfig Reward)
{
    /// <summary>Where the networks compute (<c>v2v.learning.device</c>); the CPU unless configured.</summary>
    public LearningDevice Device { get; init; } = LearningDevice.Cpu;
}

/// <summary>SPEC 6-7: which reward a method trains on.</summary>
public enum RewardKind
{
    /// <summary>Nash-MADDPG: r_base + counterfactual credit + r_price + r_ir.</summary>
    NashGuided,

    /// <summary>Learning Only: r_base alone.</summary>
    TradeUtility,
}

/// <summary>One of the study's learned methods: its reward and its clearing mechanism (SPEC 6).</summary>
public sealed record TrainingMethod(string Name, RewardKind Reward, string Mechanism)
{
    public static TrainingMethod NashMaddpg { get; } = new("nash-maddpg", RewardKind.NashGuided, "nash");

    public static TrainingMethod LearningOnly { get; } = new("learning-only", RewardKind.TradeUtility, "greedy-average");

    public static IReadOnlyList<TrainingMethod> All { get; } = [NashMaddpg, LearningOnly];

    public static TrainingMethod Parse(string name)
    {
        foreach (var m in All)
        {
            if (m.Name == name)
            {
                return m;
            }
        }

        throw new ArgumentException($"unknown training method '{name}'; expected nash-maddpg or learning-only", nameof(name));
    }
}
