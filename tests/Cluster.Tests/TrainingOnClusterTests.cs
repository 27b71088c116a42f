using V2V.Host.Configuration;
using V2V.Learning.Environment;
using V2V.Learning.Maddpg;
using V2V.Market.Configuration;
using V2V.Simulation;
using V2V.Simulation.Cluster;
using V2V.Simulation.Serialization;
using V2V.Simulation.Training;

namespace V2V.Cluster.Tests;

/// <summary>
/// Training on a cluster (docs/cluster.md, "Training on a cluster"): the critic a cluster singleton on a learning
/// member, a learner and a policy holder on each agents member, the coordinator on the training's own member. The same
/// seed gives the model file of the training in one process, byte for byte.
/// </summary>
public sealed class TrainingOnClusterTests : IDisposable
{
    private const int Episodes = 3;
    private readonly string dir = Directory.CreateTempSubdirectory("v2v-train-cluster-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Train_CriticOnOneMemberEvsOnTwoOthers_SameModelBytesAsOneProcess()
    {
        var (market, simulation, learning) = Configs(
            "v2v.simulation.faults.crash=0.05",
            "v2v.simulation.faults.dropout=0.05",
            "v2v.simulation.latency.model=lognormal",
            "v2v.simulation.latency.slow-fraction=0.3");
        var method = TrainingMethod.NashMaddpg;
        var alone = Path.Combine(dir, "alone.v2vnn");
        var reports = new List<EpisodeReport>();
        using (var session = new TrainingSession(market, learning, method, 11, l =>
            new SimulationEpisodeTrainer(market, simulation, learning, method, 11, l, ProtocolSerialization.CheckingEveryMessage())))
        {
            for (int e = 0; e < Episodes; e++)
            {
                reports.Add(session.RunNextEpisode());
            }

            Assert.True(session.Learner.Updates > 0, "the warm-up must end within the test so training is compared too");
            session.SaveCheckpoint(alone);
        }

        var seedPort = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{seedPort}";
        using var critic = Loopback.Member(seed, seedPort, ClusterRoles.Learning);
        using var agentsA = Loopback.Member(seed, 0, ClusterRoles.Agents);
        using var agentsB = Loopback.Member(seed, 0, ClusterRoles.Agents);
        var spread = Path.Combine(dir, "spread.v2vnn");
        ClusterTrainingEpisodes? episodes = null;
        var spreadReports = new List<EpisodeReport>();
        using (var session = new TrainingSession(market, learning, method, 11, l => episodes = new ClusterTrainingEpisodes(
            market, simulation, learning, method, 11, l, "training-1", k => Run(seed, k, agentsMembers: 2))))
        {
            for (int e = 0; e < Episodes; e++)
            {
                spreadReports.Add(session.RunNextEpisode());
            }

            session.SaveCheckpoint(spread);
        }

        Assert.Equal(reports, spreadReports);
        Assert.True(episodes!.Version > 0, "the critic must have published versions during the episodes");
        Assert.True(Loopback.ShardsHosted(agentsA) > 0 && Loopback.ShardsHosted(agentsB) > 0, "both agents members must have hosted EVs");
        Assert.Equal(File.ReadAllBytes(alone), File.ReadAllBytes(spread));
    }

    private static ClusterRun Run(string seed, int episode, int agentsMembers, double joinSeconds = 30) =>
        new($"training-1-e{episode}", Loopback.Options(seed, 0, TimeSpan.FromSeconds(joinSeconds), ClusterRoles.Market), agentsMembers);

    // Small networks, a short warm-up and at most 12 EVs: updates start in the first episode.
    private static (MarketConfig Market, SimulationConfig Simulation, LearningConfig Learning) Configs(params string[] sets)
    {
        string[] small = ["actor-hidden=[16, 16]", "critic-hidden=[16, 16]", "batch-size=32", "warmup-transitions=64", "train-agents-max=12", $"episodes={Episodes}"];
        var config = ConfigLoader.Load(null, [.. small.Select(s => "v2v.learning." + s), .. sets]);
        var market = MarketConfigBinder.Bind(config);
        return (market, SimulationConfigBinder.Bind(config, market.Time), LearningConfigBinder.Bind(config));
    }
}
