using Akka.Actor;
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

    [Fact]
    public void Train_TwoEpisodes_OneTrainingMemberStaysJoinedAcrossThem()
    {
        var seedPort = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{seedPort}";
        using var critic = Loopback.Member(seed, seedPort, ClusterRoles.Learning);
        using var agents = Loopback.Member(seed, 0, ClusterRoles.Agents);
        using var session = LearningOnly(seed, agentsMembers: 1);

        session.RunNextEpisode();
        var afterFirst = MarketMembersOnceOneIsUp(critic);
        session.RunNextEpisode();
        var afterSecond = MarketMembersOnceOneIsUp(critic);

        // The member the first episode joined with is the one the second ran on, still up: no member left or joined.
        Assert.Single(afterFirst);
        Assert.Equal(afterFirst, afterSecond);
    }

    [Fact]
    public void Train_FewerAgentsMembersThanTheRunNeeds_FailsNamingTheRoleWithinTheJoinTimeout()
    {
        var seedPort = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{seedPort}";
        using var critic = Loopback.Member(seed, seedPort, ClusterRoles.Learning);
        using var agents = Loopback.Member(seed, 0, ClusterRoles.Agents);
        using var session = LearningOnly(seed, agentsMembers: 2, joinSeconds: 3);

        var e = Assert.Throws<ClusterUnavailableException>(() => session.RunNextEpisode());

        Assert.StartsWith($"the cluster at seed {seed} has 1 member(s) with role agents up after 3 s; the run needs 2", e.Message);
    }

    [Fact]
    public void Train_NoMemberWithTheLearningRole_FailsNamingTheRoleWithinTheJoinTimeout()
    {
        var seedPort = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{seedPort}";
        using var agents = Loopback.Member(seed, seedPort, ClusterRoles.Agents);
        using var session = LearningOnly(seed, agentsMembers: 1, joinSeconds: 3);

        var e = Assert.Throws<ClusterUnavailableException>(() => session.RunNextEpisode());

        Assert.Equal(
            "no critic answered within 3 s: the cluster has 0 member(s) with role learning up; training needs 1 (start one: v2v node --roles learning)",
            e.Message);
    }

    [Fact]
    public async Task Train_CriticNoLongerHoldsTheTraining_NextEpisodeFailsInsteadOfStartingFromNothing()
    {
        var seedPort = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{seedPort}";
        using var critic = Loopback.Member(seed, seedPort, ClusterRoles.Learning);
        using var agents = Loopback.Member(seed, 0, ClusterRoles.Agents);
        using var session = LearningOnly(seed, agentsMembers: 1);
        session.RunNextEpisode();

        // As a singleton that moved to another member, or restarted, would be: without the training's learner. The
        // fetch after the drop is answered once the drop is done (one sender, one order).
        var proxy = critic.ActorOf(CriticSingleton.ProxyProps(critic));
        proxy.Tell(new FinishCritic("training-1"));
        var refused = await proxy.Ask<TrainingRefused>(new FetchCriticModel("training-1", 0), TimeSpan.FromSeconds(30));
        Assert.Equal("the critic holds no training training-1", refused.Reason);

        var e = Assert.Throws<ClusterUnavailableException>(() => session.RunNextEpisode());

        Assert.StartsWith("the critic singleton (now on 127.0.0.1:", e.Message);
        Assert.EndsWith("does not hold training training-1: its member changed or it restarted, and the training cannot go on", e.Message);
    }

    [Fact]
    public void TrainCommand_NodesThree_WritesTheModelOfTheSameTrainingInOneProcess()
    {
        string[] train =
        [
            "train", "--method", "learning-only", "--backend", "simulation", "--episodes", "2", "--no-progress",
            .. new[] { "actor-hidden=[16]", "critic-hidden=[16]", "batch-size=32", "warmup-transitions=64", "train-agents-max=10", "evaluation-episodes=0" }
                .SelectMany(s => new[] { "--set", "v2v.learning." + s }),
        ];
        var (aloneCode, _, aloneError) = CommandTests.V2v([.. train, "--out", Path.Combine(dir, "alone")]);
        var (spreadCode, spreadOutput, spreadError) = CommandTests.V2v([.. train, "--nodes", "3", "--out", Path.Combine(dir, "spread")]);

        Assert.True(aloneCode == 0, aloneError);
        Assert.True(spreadCode == 0, spreadError);
        Assert.Contains("trained 2 episodes", spreadOutput);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "alone", "model.v2vnn")), File.ReadAllBytes(Path.Combine(dir, "spread", "model.v2vnn")));
        Assert.Equal(File.ReadAllText(Path.Combine(dir, "alone", "training.csv")), File.ReadAllText(Path.Combine(dir, "spread", "training.csv")));
    }

    [Fact]
    public void TrainCommand_ClusterWithoutALearningMember_ExitsOneWithOneLineNamingTheRole()
    {
        var port = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{port}";
        using var agents = Loopback.Member(seed, port, ClusterRoles.Agents);

        var (code, _, error) = CommandTests.V2v(
            "train", "--method", "learning-only", "--backend", "simulation", "--cluster", seed, "--episodes", "1", "--no-progress",
            "--out", Path.Combine(dir, "out"), "--set", "v2v.cluster.join-timeout=5s", "--set", "v2v.cluster.shards=20");

        // 5 s, not 2: the same timeout bounds joining the cluster, which took longer than 2 s once under a load of ~9.
        Assert.Equal(1, code);
        Assert.Equal(
            "v2v train: no critic answered within 5 s: the cluster has 0 member(s) with role learning up; training needs 1 (start one: v2v node --roles learning)",
            error.TrimEnd());
    }

    [Theory]
    [InlineData(new[] { "--nodes", "2" }, "v2v train: --nodes: training on a cluster runs the market simulation's actors: add --backend simulation")]
    [InlineData(new[] { "--backend", "simulation", "--nodes", "1" }, "v2v train: --nodes: expected a whole number in [2, 64], got '1'")]
    [InlineData(new[] { "--backend", "simulation", "--nodes", "2", "--cluster", "h:1" }, "v2v train: --nodes: trains on local members it starts; --cluster on running ones: give one of them")]
    [InlineData(new[] { "--backend", "simulation", "--cluster", "h" }, "v2v train: --cluster: expected HOST:PORT with a port 1-65535, got 'h'")]
    [InlineData(
        new[] { "--backend", "simulation", "--nodes", "3", "--set", "v2v.simulation.faults.node-loss.at-step=2" },
        "v2v train: --set 'v2v.simulation.faults.node-loss.at-step=2':1:41: v2v.simulation.faults.node-loss.at-step: a scheduled node loss cannot be planned when training on a cluster")]
    public void TrainCommand_BadClusterOption_ExitsTwoWithOneLine(string[] options, string expected)
    {
        var (code, _, error) = CommandTests.V2v(["train", "--method", "learning-only", "--out", Path.Combine(dir, "out"), .. options]);

        Assert.Equal(2, code);
        Assert.Equal(expected, error.TrimEnd());
    }

    [Fact]
    public void Train_ResumedOnAClusterFromACheckpoint_SameModelBytesAsTheResumeInOneProcess()
    {
        var (market, simulation, learning) = Configs();
        var method = TrainingMethod.LearningOnly;
        SimulationEpisodeTrainer InOne(MaddpgLearner l) => new(market, simulation, learning, method, 5, l);
        var two = Path.Combine(dir, "two.v2vnn");
        using (var session = new TrainingSession(market, learning, method, 5, InOne))
        {
            session.RunNextEpisode();
            session.RunNextEpisode();
            Assert.True(session.Learner.Updates > 0);
            session.SaveCheckpoint(two);
        }

        var alone = Path.Combine(dir, "alone.v2vnn");
        using (var session = TrainingSession.Resume(two, market, learning, method, InOne))
        {
            session.RunNextEpisode();
            session.SaveCheckpoint(alone);
        }

        var seedPort = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{seedPort}";
        using var critic = Loopback.Member(seed, seedPort, ClusterRoles.Learning);
        using var agents = Loopback.Member(seed, 0, ClusterRoles.Agents);
        var spread = Path.Combine(dir, "spread.v2vnn");
        using (var session = TrainingSession.Resume(two, market, learning, method, l => new ClusterTrainingEpisodes(
            market, simulation, learning, method, 5, l, "training-1", k => Run(seed, k, agentsMembers: 1))))
        {
            Assert.Equal(2, session.NextEpisode);
            Assert.True(session.RunNextEpisode().Updates > 0);
            session.SaveCheckpoint(spread);
        }

        Assert.Equal(File.ReadAllBytes(alone), File.ReadAllBytes(spread));
    }

    // Every member with the market role in view's cluster once exactly one of them is up (bounded: gossip reaches
    // view within a second or two); none up within 30 s is an empty list.
    private static IReadOnlyList<string> MarketMembersOnceOneIsUp(ActorSystem view)
    {
        IReadOnlyList<string> Market() => [.. Akka.Cluster.Cluster.Get(view).State.Members
            .Where(m => m.HasRole(ClusterRoles.Market))
            .Select(m => $"{m.Address} {m.Status}")];
        return SpinWait.SpinUntil(() => Market() is [var one] && one.EndsWith(" Up", StringComparison.Ordinal), TimeSpan.FromSeconds(30)) ? Market() : [];
    }

    // A learning-only training of seed 11 on the cluster at seed, as the failure tests run it.
    private static TrainingSession LearningOnly(string seed, int agentsMembers, double joinSeconds = 30)
    {
        var (market, simulation, learning) = Configs();
        return new TrainingSession(market, learning, TrainingMethod.LearningOnly, 11, l => new ClusterTrainingEpisodes(
            market, simulation, learning, TrainingMethod.LearningOnly, 11, l, "training-1", k => Run(seed, k, agentsMembers, joinSeconds)));
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
