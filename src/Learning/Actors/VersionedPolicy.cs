using V2V.Learning.Maddpg;
using V2V.Learning.Networks;
using V2V.Market.Vehicles;
using static TorchSharp.torch;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Learning.Actors;

/// <summary>
/// What EV actors bid with while versions are published (DESIGN step 6): the newest policy version received. An
/// older or repeated version (reordered or duplicated delivery) is ignored, so the version never goes back. One
/// instance is a node's policy (its <see cref="PolicyHolderActor"/> applies versions, the node's EVs decide with
/// it), so <see cref="Apply"/> and <see cref="Decide"/> are serialised on a lock.
/// </summary>
public sealed class VersionedPolicy : IBiddingPolicy
{
    private readonly TorchMlp actor;
    private readonly float[] input = new float[Observation.Size];
    private long version = -1;

    /// <summary>A policy for actors of the shape <paramref name="config"/> trains.</summary>
    public VersionedPolicy(LearningConfig config)
        : this(MaddpgLearner.ActorShape(config))
    {
    }

    /// <summary>A policy for actors of <paramref name="shape"/> (a loaded model's, which may differ from the config's).</summary>
    public VersionedPolicy(IReadOnlyList<int> shape)
    {
        this.actor = TorchMlp.Zeros(shape, OutputActivation.Tanh, CPU);
        if (this.actor.InputSize != Observation.Size || this.actor.OutputSize != ActionMapping.Size)
        {
            throw new ArgumentException($"an actor maps {Observation.Size} observations to {ActionMapping.Size} actions, this shape {this.actor.InputSize} to {this.actor.OutputSize}");
        }
    }

    /// <summary>-1 until the first version arrives.</summary>
    public long Version
    {
        get
        {
            lock (this.input)
            {
                return this.version;
            }
        }
    }

    /// <summary>Takes <paramref name="published"/> if it is newer than the current version; returns whether it did.</summary>
    public bool Apply(PolicyPublished published)
    {
        ArgumentNullException.ThrowIfNull(published);
        lock (this.input)
        {
            if (published.Version <= this.version)
            {
                return false;
            }

            if (published.ActorParameters.Length != this.actor.ParameterCount)
            {
                throw new ArgumentException($"policy version {published.Version} has {published.ActorParameters.Length} parameters, this actor {this.actor.ParameterCount}");
            }

            this.actor.SetParameters(published.ActorParameters);
            this.version = published.Version;
            return true;
        }
    }

    /// <summary>
    /// The current version's actions for n observations, each row on its own. Single-threaded use only (the
    /// training backend's).
    /// </summary>
    internal ReadOnlySpan<float> Act(ReadOnlySpan<float> observations, int n) => this.actor.PredictRows(observations, n);

    /// <summary>The current version's action for one observation, written into <paramref name="action"/>; returns the version.</summary>
    internal long ActInto(ReadOnlySpan<float> observation, Span<float> action)
    {
        lock (this.input)
        {
            if (this.version < 0)
            {
                throw new InvalidOperationException("no policy version received yet");
            }

            this.actor.Predict(observation, 1).CopyTo(action);
            return this.version;
        }
    }

    public Quote Decide(in BiddingContext context)
    {
        lock (this.input)
        {
            if (this.version < 0)
            {
                throw new InvalidOperationException("no policy version received yet");
            }

            context.Observation.WriteTo(this.input);
            return ActionMapping.ToQuote(this.actor.Predict(this.input, 1), context);
        }
    }
}
