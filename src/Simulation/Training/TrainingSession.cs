using V2V.Learning.Environment;
using V2V.Learning.Maddpg;
using V2V.Learning.Networks;
using V2V.Market.Configuration;

namespace V2V.Simulation.Training;

/// <summary>
/// A training run of SPEC 7 episode by episode, with checkpoints that carry what a resume needs: the four
/// networks, both optimisers, the method, the seed and the next episode. Episode k's randomness derives from
/// (seed, k) alone, so a resumed run replays the same markets; only the replay buffer, which is not saved,
/// starts empty again (it refills during the warm-up).
/// </summary>
public sealed class TrainingSession : IDisposable
{
    public const string ModelFileName = ModelFile.DefaultName;
    private readonly MarketEpisodeRunner runner;
    private readonly ActorBackend? actors;
    private readonly IEpisodeTrainer? episodes;

    /// <summary>
    /// A new run. With <paramref name="throughActors"/> the transitions travel through a learner actor to the
    /// critic actor in virtual time instead of straight into the learner; the weights are the same. <paramref name="akka"/>
    /// is the user's <c>akka</c> section for that actor system.
    /// </summary>
    public TrainingSession(
        MarketConfig market, LearningConfig learning, TrainingMethod method, int seed, bool throughActors = false, Akka.Configuration.Config? akka = null)
        : this(market, learning, method, seed, throughActors, null, akka)
    {
    }

    /// <summary>
    /// A new run whose training episodes are run by <paramref name="episodes"/>, given this session's learner (the
    /// market simulation's own actors, which live in the Host); evaluation still runs the direct episodes.
    /// </summary>
    public TrainingSession(
        MarketConfig market, LearningConfig learning, TrainingMethod method, int seed, Func<MaddpgLearner, IEpisodeTrainer> episodes)
        : this(market, learning, method, seed, false, episodes, null)
    {
    }

    private TrainingSession(
        MarketConfig market,
        LearningConfig learning,
        TrainingMethod method,
        int seed,
        bool throughActors,
        Func<MaddpgLearner, IEpisodeTrainer>? episodes,
        Akka.Configuration.Config? akka)
    {
        Learning = learning;
        Method = method;
        Seed = seed;
        Learner = new MaddpgLearner(learning, seed);
        this.actors = throughActors ? new ActorBackend(Learner, learning, seed, akka) : null;
        this.episodes = episodes?.Invoke(Learner);
        this.runner = this.actors is null
            ? new MarketEpisodeRunner(market, learning, method, seed, Learner)
            : new MarketEpisodeRunner(market, learning, method, seed, Learner, this.actors);
    }

    public LearningConfig Learning { get; }

    public TrainingMethod Method { get; }

    public int Seed { get; }

    public MaddpgLearner Learner { get; }

    public int NextEpisode { get; private set; }

    public EpisodeReport RunNextEpisode() =>
        this.episodes is null ? this.runner.Run(NextEpisode++, EpisodeMode.Train) : this.episodes.Train(NextEpisode++);

    /// <summary>Mean per-agent-step reward and welfare of the deterministic policy (or of truthful bids) over fresh episodes.</summary>
    public EpisodeReport Evaluate(int episodes, bool truthful)
    {
        double reward = 0, welfare = 0, volume = 0, match = 0, bid = 0, ask = 0, quantity = 0;
        for (int e = 0; e < episodes; e++)
        {
            var r = this.runner.Run(e, truthful ? EpisodeMode.EvaluateTruthful : EpisodeMode.EvaluateLearned);
            reward += r.MeanReward;
            welfare += r.SocialWelfareAud;
            volume += r.VolumeKwh;
            match += r.MatchRate;
            bid += double.IsNaN(r.MeanBidAudPerKwh) ? 0 : r.MeanBidAudPerKwh;
            ask += double.IsNaN(r.MeanAskAudPerKwh) ? 0 : r.MeanAskAudPerKwh;
            quantity += double.IsNaN(r.MeanQuantityFraction) ? 0 : r.MeanQuantityFraction;
        }

        return new EpisodeReport(episodes, 0, reward / episodes, welfare / episodes, double.NaN, volume / episodes, match / episodes, 0, 0, 0, bid / episodes, ask / episodes, quantity / episodes);
    }

    public void SaveCheckpoint(string path) => Learner.Save(path, new TrainingStamp(Method.Name, Seed, NextEpisode));

    /// <summary>
    /// A session continuing the checkpoint at <paramref name="path"/>. The method must match; the seed is the
    /// checkpoint's. A missing, corrupt or mismatched file is a <see cref="ModelFileException"/>.
    /// </summary>
    public static TrainingSession Resume(
        string path, MarketConfig market, LearningConfig learning, TrainingMethod method, bool throughActors = false, Akka.Configuration.Config? akka = null) =>
        Resume(path, seed => new TrainingSession(market, learning, method, seed, throughActors, akka), method);

    /// <summary>As <see cref="Resume(string, MarketConfig, LearningConfig, TrainingMethod, bool, Akka.Configuration.Config?)"/>, with episodes run by <paramref name="episodes"/>.</summary>
    public static TrainingSession Resume(
        string path, MarketConfig market, LearningConfig learning, TrainingMethod method, Func<MaddpgLearner, IEpisodeTrainer> episodes) =>
        Resume(path, seed => new TrainingSession(market, learning, method, seed, episodes), method);

    private static TrainingSession Resume(string path, Func<int, TrainingSession> create, TrainingMethod method)
    {
        var checkpoint = ModelFile.Load(path);
        var stamp = checkpoint.Identity.Training
            ?? throw new ModelFileException(path, "is not a training checkpoint (its identity record has no training stamp)");
        if (stamp.Method != method.Name)
        {
            throw new ModelFileException(path, $"was trained with --method {stamp.Method}, not {method.Name}");
        }

        if (stamp.Seed < 0 || stamp.NextEpisode < 0)
        {
            throw new ModelFileException(path, $"has an invalid training stamp (seed {stamp.Seed}, next episode {stamp.NextEpisode})");
        }

        var session = create(stamp.Seed);
        try
        {
            session.Learner.Restore(checkpoint);
        }
        catch
        {
            session.Dispose();
            throw;
        }

        session.NextEpisode = stamp.NextEpisode;
        return session;
    }

    public void Dispose()
    {
        this.actors?.Dispose();
        this.episodes?.Dispose();
        Learner.Dispose();
    }
}
