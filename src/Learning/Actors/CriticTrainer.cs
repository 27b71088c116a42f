using V2V.Learning.Maddpg;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Learning.Actors;

/// <summary>
/// The critic actor's state and decisions, free of actors: the learner (replay buffer, networks), which batches
/// it has stored (so a duplicated message is stored once), and the published policy version, which rises by one
/// after every round of updates.
/// </summary>
public sealed class CriticTrainer(MaddpgLearner learner, Random random)
{
    private readonly HashSet<(string, long)> _seen = [];

    public MaddpgLearner Learner { get; } = learner;

    public long Version { get; private set; }

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

        for (int u = 0; u < updates; u++)
        {
            Learner.Update(random);
        }

        Version++;
        return Current();
    }

    public PolicyPublished Current() => new(Version, Learner.Actor.Parameters.ToArray(), Learner.Replay.Added);
}
