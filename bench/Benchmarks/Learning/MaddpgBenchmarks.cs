using BenchmarkDotNet.Attributes;
using V2V.Simulation.Training;
using V2V.Learning.Environment;
using V2V.Learning.Maddpg;
using V2V.Market.Configuration;

namespace V2V.Benchmarks.Learning;

/// <summary>
/// Where training time goes (SPEC 7 sizes: actor 12-128-128-2, critic 71-128-128-1, batch 256): one MADDPG update,
/// one actor forward for a step's agents, and whole one-day episodes under each method.
/// Run: dotnet run -c Release --project bench/Benchmarks -- --filter '*Maddpg*' --job short
/// </summary>
[MemoryDiagnoser]
public class MaddpgBenchmarks
{
    private MaddpgLearner learner = null!;
    private Random random = null!;
    private float[] observations = null!;
    private MarketEpisodeRunner nash = null!;
    private MarketEpisodeRunner greedy = null!;
    private int episode;

    public static LearningConfig Spec { get; } = new(
        100, [128, 128], [128, 128], 1e-4, 1e-3, 0.95, 0.01, 100_000, 256, 1, 1024, 0.15, 0.2, 0.05, 2000, 16, 6, 30, 100,
        new RewardConfig(50, 5, 0.5, 0.5));

    public static MarketConfig Market { get; } = new(
        0,
        new TimeConfig(0.5, 16, 1),
        new PopulationConfig(20, 8, 4, 12),
        new VehicleConfig(75, 11, 1.0, 0.2, 0.9, 0.5, 0.8, 0.05),
        new TariffConfig(0.28, 0.05, []),
        new ValueConfig(0.6, 0.4, 0.16, 0.3, 0.03),
        new ClearingConfig("nash", 1e-3, 1e-6, 1e-9, 200),
        new PolicyConfig("truthful", 0.2),
        new MetricsConfig(4));

    [GlobalSetup]
    public void Setup()
    {
        this.learner = new MaddpgLearner(Spec, 1);
        this.random = new Random(1);
        var row = new float[CriticContext.CriticInputSize];
        for (int i = 0; i < 4096; i++)
        {
            row[0] = (float)this.random.NextDouble();
            row[9] = 1;
            this.learner.Replay.Add(row, (float)this.random.NextDouble(), row, done: i % 16 == 15);
        }

        this.observations = new float[30 * 12];
        this.nash = new MarketEpisodeRunner(Market, Spec, TrainingMethod.NashMaddpg, 1, new MaddpgLearner(Spec, 1));
        this.greedy = new MarketEpisodeRunner(Market, Spec, TrainingMethod.LearningOnly, 1, new MaddpgLearner(Spec, 1));
    }

    [Benchmark]
    public double Update() => this.learner.Update(this.random);

    [Benchmark]
    public float ActorForward30Agents() => this.learner.Act(this.observations, 30)[0];

    [Benchmark]
    public double EpisodeLearningOnly() => this.greedy.Run(this.episode++ % 2000, EpisodeMode.Train).MeanReward;

    [Benchmark]
    public double EpisodeNashMaddpg() => this.nash.Run(this.episode++ % 2000, EpisodeMode.Train).MeanReward;
}
