using V2V.Learning.Maddpg;
using V2V.Market.Randomness;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Learning.Actors;

/// <summary>
/// The critic actor's state and decisions, free of actors: the learner (replay buffer, networks), which batches
/// it has stored (so a duplicated message is stored once), and the published policy version, which rises by one
/// after every round of updates. Update sampling in episode k draws from a stream derived from (seed, k), the same
/// as direct training's, so training through the actors gives the same weights.
/// </summary>
public sealed class CriticTrainer(MaddpgLearner learner, int seed)
{
    private readonly HashSet<(string, long)> _seen = [];
    private Random _random = UpdateRandom(seed, 0);

    public MaddpgLearner Learner { get; } = learner;

    public long Version { get; private set; }

    /// <summary>The sampling stream of episode <paramref name="episode"/>'s updates.</summary>
    public static Random UpdateRandom(int seed, int episode) => Seeds.CreateRandom(seed, $"learning.update.{episode}");

    public void BeginEpisode(int episode) => _random = UpdateRandom(seed, episode);

    /// <summary>Stores a batch's transitions; returns false (and stores nothing) for a batch seen before.</summary>
    public bool Store(TransitionBatch batch)
    {
        if (!_seen.Add((batch.Learner, batch.Sequence)))
        {
            return false;
        }

        foreach (var t in batch.Transitions)
        {
            Learner.Replay.Add(t.Input, t.Reward, t.NextInput, done: t.NextInput is null);
        }

        return true;
    }

    /// <summary>Runs the updates if the buffer is warm; returns the new version to publish, or null if nothing changed.</summary>
    public PolicyPublished? Train(int updates)
    {
        if (!Learner.IsWarm || updates <= 0)
        {
            return null;
        }

        double loss = 0;
        for (int u = 0; u < updates; u++)
        {
            loss += Learner.Update(_random);
        }

        Version++;
        return Current(updates, loss / updates);
    }

    public PolicyPublished Current(int updates = 0, double meanLoss = double.NaN) =>
        new(Version, Learner.Actor.Parameters.ToArray(), Learner.Replay.Added, updates, meanLoss);
}
