using V2V.Learning.Maddpg;
using V2V.Market.Configuration;

namespace V2V.Learning.Tests.Maddpg;

internal static class Fixtures
{
    /// <summary>The SPEC defaults (hocon/reference.conf), one day.</summary>
    public static readonly MarketConfig Market = new(
        Seed: 1,
        Time: new TimeConfig(0.5, 16, 1),
        Population: new PopulationConfig(10, 8, 4, 12),
        Vehicle: new VehicleConfig(75, 11, 1.0, 0.2, 0.9, 0.5, 0.8, 0.05),
        Tariff: new TariffConfig(0.28, 0.05, []),
        Values: new ValueConfig(0.6, 0.4, 0.16, 0.3, 0.03),
        Clearing: new ClearingConfig("greedy-average", 1e-3, 1e-6, 1e-9, 200),
        Policy: new PolicyConfig("truthful", 0.2),
        Metrics: new MetricsConfig(4));

    public static readonly RewardConfig Reward = new(Kappa: 50, IrPenalty: 5, CollectiveJainWeight: 0.5, CollectiveMatchWeight: 0.5);

    /// <summary>SPEC 7's numbers with small networks and batches so tests run in seconds.</summary>
    public static LearningConfig Small(int episodes = 4) => new(
        ActiveAgentsScale: 100,
        ActorHidden: [16, 16],
        CriticHidden: [16, 16],
        ActorLearningRate: 1e-3,
        CriticLearningRate: 1e-3,
        Gamma: 0.95,
        Tau: 0.01,
        ReplayCapacity: 2000,
        BatchSize: 32,
        UpdatesPerStep: 1,
        WarmupTransitions: 64,
        OuTheta: 0.15,
        OuSigmaStart: 0.2,
        OuSigmaEnd: 0.05,
        Episodes: episodes,
        EpisodeSteps: 16,
        TrainAgentsMin: 6,
        TrainAgentsMax: 12,
        CheckpointEveryEpisodes: 2,
        Reward: Reward);
}
