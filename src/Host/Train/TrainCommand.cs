using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using V2V.Host.Cli;
using V2V.Host.Configuration;
using V2V.Host.Output;
using V2V.Learning.Environment;
using V2V.Learning.Maddpg;
using V2V.Learning.Networks;
using V2V.Market.Network;
using V2V.Simulation.Cluster;
using V2V.Simulation.Serialization;
using V2V.Simulation.Training;

namespace V2V.Host.Train;

/// <summary>`v2v train`: Nash-MADDPG or Learning Only training (SPEC 7), with checkpoints and resume.</summary>
public sealed class TrainCommand : ICommand
{
    public string Name => "train";

    public string Summary => "train the shared bidding policy (nash-maddpg or learning-only, SPEC 7)";

    public string Help => """
        usage: v2v train --method nash-maddpg|learning-only --out DIR [--episodes N] [--resume DIR]
                         [--backend direct|actors|simulation] [--cluster HOST:PORT | --nodes K]

        Trains the shared actor and pooled critic of SPEC 7 on one-day episodes of the market (training N drawn
        per episode from v2v.learning.train-agents-min..max). nash-maddpg trains on the Nash-guided reward under
        Nash clearing, learning-only on the trade utility under greedy-average clearing. Writes to DIR:
        model.v2vnn (the newest checkpoint; `v2v run --policy learned --model DIR` reads its actor),
        checkpoints/episode-NNNNNN.v2vnn every v2v.learning.checkpoint-every episodes, training.csv (one row per
        episode), training.svg (the curve), config.json (the resolved configuration) and summary.json (timing, and the trained policy
        against truthful bids on fresh episodes). --resume DIR continues from DIR/model.v2vnn (same method; the
        replay buffer starts empty). The seed is v2v.seed.
        --out must be a folder this process can write (not a file, not /dev/null). A folder that already holds a
        training (model.v2vnn, training.csv or checkpoints) is refused with exit 2, so old and new checkpoints never
        mix: choose another folder, or continue that training with --resume DIR --out DIR (refused too if the
        folder holds checkpoints later than the one resumed from). Training whose estimated memory (replay buffer,
        networks, one episode of train-agents-max EVs) exceeds what is available is refused before it starts.

        --backend picks where the training episodes run (the weights of direct and actors are identical):
          direct      the market loop in the calling thread, transitions straight into the replay buffer (default);
          actors      the same loop, transitions routed through a learner actor to the critic actor (virtual time);
          simulation  the market simulation's own actors (facility, coordinator, one actor per EV) in virtual time,
                      with the latency and faults of v2v.simulation: the coordinator scores each settled step, the
                      EVs send their transitions to the node's learner actor, the critic trains once per step and
                      publishes a policy version that the EVs bid with from the next step on. With the
              exploration noise off it gives the direct weights; each EV draws its own noise.
        Evaluation (summary.json) always runs the direct episodes.

        --cluster HOST:PORT or --nodes K (with --backend simulation) runs each episode over a cluster: the EVs sharded
        over the members with the agents role, the critic a cluster singleton on the oldest member with the learning
        role, a learner and a policy holder per agents member; the model is the one-process training's, byte for byte
        (docs/cluster.md). --nodes K starts K-1 local 'v2v node' members; this process holds the critic.
        """;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("method", "NAME", "nash-maddpg or learning-only (required)"),
        new("out", "DIR", "output folder (required; created if missing; refused if it holds another training)"),
        new("episodes", "N", "train until episode N, in [1, 2147483647] (default v2v.learning.episodes)"),
        new("resume", "DIR", "continue from DIR/model.v2vnn (or a .v2vnn file); the only way to write into a training folder"),
        new("backend", "NAME", "direct (default), actors, or simulation: where training episodes run (see above)"),
        new("actors", null, "the same as --backend actors"),
        TrainOnCluster.Options[0],
        TrainOnCluster.Options[1],
        new("no-progress", null, "print a line every few episodes instead of a progress bar (the bar needs stdout on a terminal)"),
        CommonOptions.Config,
        CommonOptions.Set,
        CommonOptions.Help,
    ];

    public int MaxPositional => 0;

    public int Execute(Arguments args, TextWriter output, TextWriter error)
    {
        var methodName = args.Get("method") ?? throw new UsageException("--method: required (nash-maddpg or learning-only)");
        TrainingMethod method;
        try
        {
            method = TrainingMethod.Parse(methodName);
        }
        catch (ArgumentException)
        {
            throw new UsageException($"--method: unknown method '{methodName}'; expected nash-maddpg or learning-only");
        }

        var outDir = args.Get("out") ?? throw new UsageException("--out: required (the output folder)");
        OutputFolder.Check("out", outDir);
        var resume = args.Get("resume");
        TrainingFolder.RequireFreeOrResumed(outDir, resume);
        var config = CommonOptions.LoadConfig(args);
        var market = MarketConfigBinder.Bind(config);
        var learning = LearningConfigBinder.Bind(config);
        int episodes = args.GetInt("episodes", learning.Episodes, min: 1);
        learning = learning with { Episodes = episodes };
        int evaluationEpisodes = config.GetIntAtLeast("v2v.learning.evaluation-episodes", 0);
        MemoryEstimate.Require(
            MemoryEstimate.TrainBytes(market, learning, method.Mechanism), MemoryEstimate.AvailableBytes(),
            $"training with replay-capacity {learning.ReplayCapacity} and up to {learning.TrainAgentsMax} EVs",
            "lower v2v.learning.replay-capacity, train-agents-max or the hidden layer widths");

        var backend = Backend(args);
        var akka = config.ToAkkaConfig().WithFallback(ProtocolSerialization.Config());
        var simulation = backend == SimulationBackend ? SimulationConfigBinder.Bind(config, market.Time) : null;

        // A resumed coordinator rebuilds from the ledger, and the scores training sums are not in it.
        if (simulation?.Faults.CoordinatorRestartKey is { } key)
        {
            throw config.Error($"v2v.simulation.faults.{key}", "coordinator restarts cannot be planned when training on the simulation");
        }

        // Training is reproducible by design: its episodes run in simulated time only.
        if (config.GetConfig("v2v.simulation").GetString("clock") == WallClock.Wall)
        {
            throw config.Error("v2v.simulation.clock", "training runs in simulated time only; the wall clock is for `v2v run`");
        }

        // On a cluster the member that leaves would take an episode's learner with it, and be gone for the next episodes.
        if (simulation?.Faults.NodeLoss is not null && (args.Has("cluster") || args.Has("nodes")))
        {
            throw config.Error("v2v.simulation.faults.node-loss.at-step", "a scheduled node loss cannot be planned when training on a cluster");
        }

        using var onCluster = TrainOnCluster.Plan(args, config, simulation is not null);
        Func<MaddpgLearner, IEpisodeTrainer>? onSimulation = (simulation, onCluster) switch
        {
            (null, _) => null,
            ({ } sim, null) => learner => new SimulationEpisodeTrainer(market, sim, learning, method, market.Seed, learner, akka),
            ({ } sim, { } cluster) => learner => new ClusterTrainingEpisodes(market, sim, learning, method, market.Seed, learner, cluster.Training, cluster.RunOf, akka),
        };
        TrainingSession session;
        try
        {
            bool actors = backend == "actors";
            session = (resume, onSimulation) switch
            {
                (null, null) => new TrainingSession(market, learning, method, market.Seed, actors, akka),
                (null, { } sim) => new TrainingSession(market, learning, method, market.Seed, sim),
                ({ } dir, null) => TrainingSession.Resume(ModelPath(dir), market, learning, method, actors, akka),
                ({ } dir, { } sim) => TrainingSession.Resume(ModelPath(dir), market, learning, method, sim),
            };
        }
        catch (ModelFileException e)
        {
            error.WriteLine($"v2v train: --resume: {e.Message}");
            return 2;
        }

        TrainingFolder.RequireNoLaterCheckpoints(outDir, session.NextEpisode);
        OutputFolder.Create("out", Path.Combine(outDir, TrainingFolder.Checkpoints));
        AtomicFile.WriteText(Path.Combine(outDir, "config.json"), config.ToJson());
        int first = session.NextEpisode;
        var clock = Stopwatch.StartNew();
        EpisodeReport? last = null;
        try
        {
            using (var csv = TrainingCsv.Open(outDir, resume, first))
            {
                bool interactive = !args.Has("no-progress") && ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
                TrainingProgress.Run(output, interactive, method.Name, first, episodes, () =>
                {
                    int episode = session.NextEpisode;
                    EpisodeReport report;
                    try
                    {
                        report = session.RunNextEpisode();
                    }
                    catch (Exception e) when (e is not FailureContextException and not ClusterUnavailableException)
                    {
                        // The one line `v2v train` prints on an internal failure names the episode it happened in.
                        throw new FailureContextException($"episode {episode}", e);
                    }

                    csv.Append(report);
                    if (session.NextEpisode % learning.CheckpointEveryEpisodes == 0 || session.NextEpisode == episodes)
                    {
                        Checkpoint(session, outDir);
                    }

                    last = report;
                    return report;
                });
            }
        }
        catch (ClusterUnavailableException e)
        {
            session.Dispose();
            error.WriteLine($"v2v train: {e.Message}");
            return 1;
        }

        double seconds = clock.Elapsed.TotalSeconds;
        if (!File.Exists(Path.Combine(outDir, TrainingSession.ModelFileName)))
        {
            // Nothing trained (a resume already at --episodes): the output folder still gets its model.
            Checkpoint(session, outDir);
        }

        AtomicFile.WriteText(
            Path.Combine(outDir, TrainingChart.FileName),
            TrainingChart.Render(Path.Combine(outDir, TrainingCsv.FileName), $"{method.Name} training, seed {market.Seed}"));
        int trained = episodes - first;
        double perSecond = trained > 0 ? trained / seconds : 0;
        output.WriteLine(trained == 0 ? "trained 0 episodes (already at --episodes)" : string.Create(
            CultureInfo.InvariantCulture,
            $"trained {trained} episodes in {seconds:F1} s ({perSecond:F2} episodes/s; 2000 episodes would take {(perSecond > 0 ? 2000 / perSecond / 60 : 0):F1} min)"));

        var learned = evaluationEpisodes > 0 ? session.Evaluate(evaluationEpisodes, truthful: false) : null;
        var truthful = evaluationEpisodes > 0 ? session.Evaluate(evaluationEpisodes, truthful: true) : null;
        if (learned is not null && truthful is not null)
        {
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"evaluation over {evaluationEpisodes} fresh episodes ({method.Mechanism} clearing, {method.Name} reward): learned mean reward {learned.MeanReward:F4}, SW {learned.SocialWelfareAud:F3} AUD; truthful mean reward {truthful.MeanReward:F4}, SW {truthful.SocialWelfareAud:F3} AUD"));
        }

        session.Dispose();
        WriteSummary(outDir, method, backend, market.Seed, first, episodes, seconds, perSecond, last, learned, truthful, evaluationEpisodes);
        output.WriteLine($"model: {Path.Combine(outDir, TrainingSession.ModelFileName)}");
        return 0;
    }

    private const string SimulationBackend = "simulation";

    private static string Backend(Arguments args)
    {
        var name = args.Get("backend");
        if (name is not null && args.Has("actors") && name != "actors")
        {
            throw new UsageException($"--actors: means --backend actors, which contradicts --backend {name}");
        }

        name ??= args.Has("actors") ? "actors" : "direct";
        return name is "direct" or "actors" or SimulationBackend
            ? name
            : throw new UsageException($"--backend: unknown backend '{name}'; expected direct, actors or simulation");
    }

    private static string ModelPath(string dir) =>
        Directory.Exists(dir) ? Path.Combine(dir, TrainingSession.ModelFileName) : dir;

    private static void Checkpoint(TrainingSession session, string outDir)
    {
        string numbered = Path.Combine(outDir, TrainingFolder.Checkpoints, TrainingFolder.CheckpointName(session.NextEpisode));
        session.SaveCheckpoint(numbered);
        File.Copy(numbered, Path.Combine(outDir, TrainingSession.ModelFileName), overwrite: true);
    }

    private static void WriteSummary(
        string outDir, TrainingMethod method, string backend, int seed, int first, int episodes, double seconds, double perSecond,
        EpisodeReport? last, EpisodeReport? learned, EpisodeReport? truthful, int evaluationEpisodes)
    {
        var summary = new Dictionary<string, object?>
        {
            ["method"] = method.Name,
            ["backend"] = backend,
            ["mechanism"] = method.Mechanism,
            ["seed"] = seed,
            ["firstEpisode"] = first,
            ["episodes"] = episodes,
            ["seconds"] = Math.Round(seconds, 2),
            ["episodesPerSecond"] = Math.Round(perSecond, 3),
            ["extrapolated2000EpisodesMinutes"] = perSecond > 0 ? Math.Round(2000 / perSecond / 60, 2) : null,
            ["processors"] = Environment.ProcessorCount,
            ["lastEpisode"] = last,
            ["evaluationEpisodes"] = evaluationEpisodes,
            ["evaluationLearned"] = learned is null ? null : Evaluation(learned),
            ["evaluationTruthful"] = truthful is null ? null : Evaluation(truthful),
        };
        var options = new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
        AtomicFile.WriteText(Path.Combine(outDir, "summary.json"), JsonSerializer.Serialize(summary, options));
    }

    private static Dictionary<string, double> Evaluation(EpisodeReport r) => new()
    {
        ["meanReward"] = r.MeanReward,
        ["socialWelfareAudPerEpisode"] = r.SocialWelfareAud,
        ["volumeKwhPerEpisode"] = r.VolumeKwh,
        ["matchRate"] = r.MatchRate,
    };
}
