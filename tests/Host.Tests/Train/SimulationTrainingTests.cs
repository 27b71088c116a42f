using V2V.Coordinator.Ledger;
using V2V.Host.Configuration;
using V2V.Host.Train;
using V2V.Learning.Environment;
using V2V.Learning.Maddpg;
using V2V.Simulation;
using V2V.Simulation.Training;
using V2V.Market.Configuration;
using V2V.Market.Protocol;

namespace V2V.Host.Tests.Train;

/// <summary>
/// Issue 4, DESIGN step 6 on the simulation's own actors (`v2v train --backend simulation`), in virtual time: the
/// same seed gives the same weights; without exploration noise the transitions that reach the critic, the episode
/// reports and the trained weights equal the direct runner's; the policy version the EVs bid with only rises, by one
/// per trained step; under crashes and dropouts every scored step is stored at most once and a leaver's chain ends done.
/// </summary>
public sealed class SimulationTrainingTests
{
    private const int Episodes = 3;

    [Theory]
    [InlineData("learning-only")]
    [InlineData("nash-maddpg")]
    public void SimulationBackend_NoExplorationNoise_SameTransitionsReportsAndWeightsAsTheDirectRunner(string method)
    {
        // Exploration is the one legitimate difference: the direct runner draws every agent's noise from one episode
        // stream in agent order, an EV actor from its own stream. With sigma = 0 both add exactly zero.
        var (market, simulation, learning) = Configs("v2v.learning.ou-sigma-start=0", "v2v.learning.ou-sigma-end=0");
        var m = TrainingMethod.Parse(method);
        var stored = new List<TransitionObserved>();
        using var direct = new TrainingSession(market, learning, m, 7);
        using var onSimulation = new TrainingSession(market, learning, m, 7, l => Trainer(market, simulation, learning, m, 7, l, stored.Add));
        for (int e = 0; e < Episodes; e++)
        {
            Assert.Equal(direct.RunNextEpisode(), onSimulation.RunNextEpisode());
        }

        var replay = direct.Learner.Replay;
        Assert.Equal(replay.Count, stored.Count);
        for (int k = 0; k < stored.Count; k++)
        {
            var (input, reward, next, done) = replay.At(k);
            Assert.Equal(input, stored[k].Input);
            Assert.Equal(reward, stored[k].Reward);
            Assert.Equal(done, stored[k].NextInput is null);
            Assert.Equal(next, stored[k].NextInput ?? new float[CriticContext.CriticInputSize]);
        }

        Assert.True(direct.Learner.Updates > 0, "the warm-up must end within the test so training is compared too");
        Assert.Equal(direct.Learner.Updates, onSimulation.Learner.Updates);
        Assert.Equal(direct.Learner.Actor.GetParameters(), onSimulation.Learner.Actor.GetParameters());
        Assert.Equal(direct.Learner.Critic.GetParameters(), onSimulation.Learner.Critic.GetParameters());
    }

    [Fact]
    public void SimulationBackend_SameSeedTwice_BitIdenticalWeights()
    {
        var (market, simulation, learning) = Configs();
        float[] Train(int seed)
        {
            using var session = new TrainingSession(market, learning, TrainingMethod.NashMaddpg, seed, l => Trainer(market, simulation, learning, TrainingMethod.NashMaddpg, seed, l, null));
            for (int e = 0; e < Episodes; e++)
            {
                session.RunNextEpisode();
            }

            Assert.True(session.Learner.Updates > 0);
            return [.. session.Learner.Actor.GetParameters(), .. session.Learner.Critic.GetParameters()];
        }

        var a = Train(5);
        Assert.Equal(a, Train(5));
        Assert.NotEqual(a, Train(6));
    }

    [Fact]
    public void SimulationBackend_PolicyVersionAtTheEvs_RisesByOnePerTrainedStepAndNeverGoesBack()
    {
        var (market, simulation, learning) = Configs();
        var stored = new List<(int Episode, TransitionObserved T)>();
        int episode = 0;
        using var session = new TrainingSession(market, learning, TrainingMethod.LearningOnly, 3, l => Trainer(market, simulation, learning, TrainingMethod.LearningOnly, 3, l, t => stored.Add((episode, t))));
        for (; episode < Episodes; episode++)
        {
            session.RunNextEpisode();
        }

        // Every EV of a step bids with the same version; from one step to the next it rises by one once training runs.
        var byStep = stored.GroupBy(s => (s.Episode, s.T.Step)).OrderBy(g => g.Key).ToList();
        long previous = -1;
        foreach (var g in byStep)
        {
            long version = Assert.Single(g.Select(s => s.T.PolicyVersion).Distinct());
            Assert.InRange(version - previous, previous < 0 ? 1 : 0, 1);
            previous = version;
        }

        Assert.True(previous > 0, "versions must have been published during the episodes");
        Assert.InRange(previous, 1, session.Learner.Updates);
    }

    [Fact]
    public void SimulationBackend_LatencyCrashesAndDropouts_EachScoredStepStoredOnceEachLeaverEndsDoneLedgerVerifies()
    {
        var (market, simulation, learning) = Configs(
            "v2v.simulation.faults.crash=0.05",
            "v2v.simulation.faults.dropout=0.05",
            "v2v.simulation.faults.message-duplicate=0.02",
            "v2v.simulation.faults.message-delay=0.02",
            "v2v.simulation.latency.model=lognormal",
            "v2v.simulation.latency.slow-fraction=0.3");
        SimulationEpisodeTrainer? trainer = null;
        var stored = new List<TransitionObserved>();
        using var session = new TrainingSession(market, learning, TrainingMethod.NashMaddpg, 2, l =>
            trainer = Trainer(market, simulation, learning, TrainingMethod.NashMaddpg, 2, l, stored.Add));
        int crashes = 0, dropouts = 0;
        for (int e = 0; e < Episodes; e++)
        {
            stored.Clear();
            session.RunNextEpisode();
            Assert.Empty(LedgerVerifier.Verify(trainer!.LastLedger!.Entries));
            Assert.NotEmpty(stored);
            Assert.Equal(stored.Count, stored.Select(t => (t.Agent, t.Step)).Distinct().Count());
            foreach (var fault in trainer!.LastLedger!.Entries.OfType<FaultInjected>())
            {
                var mine = stored.Where(t => t.Agent == fault.Agent).ToList();
                if (fault.Fault.StartsWith("dropout", StringComparison.Ordinal))
                {
                    dropouts++;
                    Assert.All(mine, t => Assert.True(t.Step < fault.Step, $"{fault.Agent} has a transition of step {t.Step} after dropping out at {fault.Step}"));
                    if (mine.Count > 0)
                    {
                        Assert.Null(mine.MaxBy(t => t.Step)!.NextInput);
                    }
                }
                else if (fault.Fault == "crash")
                {
                    crashes++;
                    if (mine.SingleOrDefault(t => t.Step == fault.Step - 1) is { } before)
                    {
                        Assert.Null(before.NextInput);
                    }
                }
            }
        }

        Assert.True(crashes > 0 && dropouts > 0, $"the test needs both faults to happen ({crashes} crashes, {dropouts} dropouts)");
    }

    [Fact]
    public void SimulationBackend_CriticFailsStoringTheLastTransitions_EpisodeFailsNamingTheCriticInsteadOfWaiting()
    {
        // The episode's last transitions reach the critic after the last step, while the run finishes. A critic that
        // throws then is stopped; the run must fail at once naming it, not wait out the ask's ten-minute patience.
        var (market, simulation, learning) = Configs();
        var m = TrainingMethod.Parse("learning-only");
        int total = 0;
        using (var counting = new TrainingSession(market, learning, m, 7, l => Trainer(market, simulation, learning, m, 7, l, _ => total++)))
        {
            counting.RunNextEpisode();
        }

        int seen = 0;
        using var failing = new TrainingSession(market, learning, m, 7, l => Trainer(market, simulation, learning, m, 7, l, t =>
        {
            if (++seen == total)
            {
                throw new InvalidOperationException("replay store broke");
            }
        }));
        var failure = Assert.Throws<SimulationFailedException>(() => failing.RunNextEpisode());
        Assert.Contains("the critic", failure.Message);
        Assert.Contains("replay store broke", failure.Message);
    }

    [Fact]
    public void Train_BackendSimulation_WritesTheModelAndNamesTheBackend()
    {
        using var dir = new Configuration.TempFolder();
        var (code, _, err) = V2vCli.Run(
            "train", "--method", "learning-only", "--backend", "simulation", "--episodes", "2", "--out", dir.Path, "--no-progress",
            "--set", "v2v.learning.actor-hidden=[8]", "--set", "v2v.learning.critic-hidden=[8]", "--set", "v2v.learning.evaluation-episodes=1");
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(dir.Path, TrainingSession.ModelFileName)));
        Assert.Contains("\"backend\": \"simulation\"", File.ReadAllText(Path.Combine(dir.Path, "summary.json")));

        // A resume continues on the simulation from the checkpoint's next episode.
        (code, var output, err) = V2vCli.Run(
            "train", "--method", "learning-only", "--backend", "simulation", "--episodes", "3", "--out", dir.Path, "--no-progress",
            "--resume", dir.Path, "--set", "v2v.learning.actor-hidden=[8]", "--set", "v2v.learning.critic-hidden=[8]",
            "--set", "v2v.learning.evaluation-episodes=0");
        Assert.True(code == 0, err);
        Assert.Contains("trained 1 episodes", output);
        Assert.Contains("\"firstEpisode\": 2", File.ReadAllText(Path.Combine(dir.Path, "summary.json")));
    }

    [Theory]
    [InlineData("--backend", "bogus", "v2v train: --backend: unknown backend 'bogus'; expected direct, actors or simulation")]
    [InlineData("--actors", "--backend=simulation", "v2v train: --actors: means --backend actors, which contradicts --backend simulation")]
    public void Train_BadBackend_ExitsTwoWithTheMessage(string a, string b, string message)
    {
        using var dir = new Configuration.TempFolder();
        var (code, _, err) = V2vCli.Run("train", "--method", "learning-only", "--out", dir.Path, a, b);
        Assert.Equal(2, code);
        Assert.Contains(message, err);
    }

    private static SimulationEpisodeTrainer Trainer(
        MarketConfig market, SimulationConfig simulation, LearningConfig learning, TrainingMethod method, int seed, MaddpgLearner learner,
        Action<TransitionObserved>? stored) =>
        new(market, simulation, learning, method, seed, learner) { Stored = stored };

    private static (MarketConfig Market, SimulationConfig Simulation, LearningConfig Learning) Configs(params string[] sets)
    {
        var config = ConfigLoader.Load(null,
        [
            "v2v.learning.actor-hidden=[16, 16]",
            "v2v.learning.critic-hidden=[16, 16]",
            "v2v.learning.batch-size=32",
            "v2v.learning.warmup-transitions=64",
            "v2v.learning.train-agents-max=12",
            $"v2v.learning.episodes={Episodes}",
            .. sets,
        ]);
        var market = MarketConfigBinder.Bind(config);
        return (market, SimulationConfigBinder.Bind(config, market.Time), LearningConfigBinder.Bind(config));
    }
}
