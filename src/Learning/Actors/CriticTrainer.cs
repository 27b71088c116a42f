using V2V.Learning.Maddpg;
using V2V.Market.Protocol;
using V2V.Market.Randomness;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Learning.Actors;

/// <summary>
/// The critic actor's state and decisions, free of actors: the learner (replay buffer, networks), which batches
/// it has stored (so a duplicated message is stored once), and the published policy version, which rises by one
/// after every round of updates. Update sampling in episode k draws from a stream derived from (seed, k), the same
/// as direct training's, so training through the actors gives the same weights.
/// Batches are staged and go into the replay buffer just before the next round of updates (or at an episode's end),
/// ordered by where their states were scored (step, then book position; arrival order for unscored ones), so the
/// buffer's contents do not depend on the order in which EVs' transitions happened to arrive.
/// </summary>
public sealed class CriticTrainer(MaddpgLearner learner, int seed)
{
    private readonly HashSet<(string, long)> seen = [];
    private readonly List<TransitionObserved> staged = [];
    private Random random = UpdateRandom(seed, 0);

    public MaddpgLearner Learner { get; } = learner;

    public long Version { get; private set; }

    /// <summary>Called with each transition as it goes into the replay buffer (diagnostics and tests).</summary>
    public Action<TransitionObserved>? Stored { get; set; }

    /// <summary>The critic's TD loss summed over every update so far.</summary>
    public double LossSum { get; private set; }

    /// <summary>The sampling stream of episode <paramref name="episode"/>'s updates.</summary>
    public static Random UpdateRandom(int seed, int episode) => Seeds.CreateRandom(seed, $"learning.update.{episode}");

    /// <summary>
    /// Episode <paramref name="episode"/> begins. Batch ids are per episode (the simulation makes new learner actors,
    /// whose sequences start again at 0), so the ones seen are forgotten.
    /// </summary>
    public void BeginEpisode(int episode)
    {
        this.random = UpdateRandom(seed, episode);
        seen.Clear();
    }

    /// <summary>Stages a batch's transitions; returns false (and stages nothing) for a batch seen before.</summary>
    public bool Store(TransitionBatch batch)
    {
        if (!seen.Add((batch.Learner, batch.Sequence)))
        {
            return false;
        }

        this.staged.AddRange(batch.Transitions);
        return true;
    }

    /// <summary>Moves the staged transitions into the replay buffer in (step, book position, arrival) order; returns how many.</summary>
    public int CommitStaged()
    {
        // OrderBy is stable: transitions with equal keys keep their arrival order.
        foreach (var t in this.staged.OrderBy(t => (t.Step, t.BookIndex)))
        {
            Learner.Replay.Add(t.Input, t.Reward, t.NextInput, done: t.NextInput is null);
            Stored?.Invoke(t);
        }

        int n = this.staged.Count;
        this.staged.Clear();
        return n;
    }

    /// <summary>Stores what is staged, then runs the updates if the buffer is warm; returns the new version to publish, or null if nothing changed.</summary>
    public PolicyPublished? Train(int updates)
    {
        CommitStaged();
        if (!Learner.IsWarm || updates <= 0)
        {
            return null;
        }

        double loss = 0;
        for (int u = 0; u < updates; u++)
        {
            loss += Learner.Update(this.random);
        }

        LossSum += loss;
        Version++;
        return Current(updates, loss / updates);
    }

    public PolicyPublished Current(int updates = 0, double meanLoss = double.NaN) =>
        new(Version, Learner.Actor.GetParameters(), Learner.Replay.Added, updates, meanLoss);
}
