using V2V.Learning.Maddpg;
using V2V.Learning.Networks;
using V2V.Market.Vehicles;

namespace V2V.Learning;

/// <summary>
/// SPEC 6 "Learned": the shared actor maps the local observation to (price, quantity), deterministically (no
/// exploration noise). The actor is the same for every N (SPEC 7), so one loaded policy serves any population.
/// Thread-safe: calls are serialised on the network; call <see cref="Clone"/> for an
/// independent copy when many agents decide in parallel.
/// </summary>
public sealed class LearnedPolicy : IBiddingPolicy
{
    private readonly TorchMlp actor;
    private readonly float[] input = new float[Observation.Size];

    private LearnedPolicy(TorchMlp actor)
    {
        if (actor.InputSize != Observation.Size || actor.OutputSize != ActionMapping.Size)
        {
            throw new ArgumentException($"an actor maps {Observation.Size} observations to {ActionMapping.Size} actions, this one is {actor}");
        }

        this.actor = actor;
    }

    /// <summary>
    /// Loads the actor of a model written by `v2v train`: <paramref name="path"/> is the output folder (its
    /// model.v2vnn) or a checkpoint file. A missing, corrupt or mismatched file is a <see cref="ModelFileException"/>.
    /// </summary>
    public static LearnedPolicy Load(string path) => PolicyModel.Load(path).Policy();

    /// <summary>A policy over a copy of a live actor (for evaluation during training).</summary>
    public static LearnedPolicy FromActor(TorchMlp actor) => new(actor.Clone());

    public LearnedPolicy Clone() => new(this.actor.Clone());

    public Quote Decide(in BiddingContext context)
    {
        lock (this.input)
        {
            context.Observation.WriteTo(this.input);
            return ActionMapping.ToQuote(this.actor.Predict(this.input, 1), context);
        }
    }
}
