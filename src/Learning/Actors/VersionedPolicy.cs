using V2V.Learning.Maddpg;
using V2V.Learning.Nn;
using V2V.Market.Vehicles;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Learning.Actors;

/// <summary>
/// What an EV actor bids with while training runs: the newest policy version it has received. An older or repeated
/// version (reordered or duplicated delivery) is ignored, so the version an EV acts with never goes back.
/// </summary>
public sealed class VersionedPolicy(LearningConfig config) : IBiddingPolicy
{
    private readonly Mlp<float> _actor = Mlp<float>.FromShape(MaddpgLearner.ActorShape(config));

    private readonly float[] _input = new float[Observation.Size];

    /// <summary>-1 until the first version arrives.</summary>
    public long Version { get; private set; } = -1;

    public bool Apply(PolicyPublished published)
    {
        if (published.Version <= Version)
        {
            return false;
        }

        if (published.ActorParameters.Length != _actor.ParameterCount)
        {
            throw new ArgumentException($"policy version {published.Version} has {published.ActorParameters.Length} parameters, this actor {_actor.ParameterCount}");
        }

        published.ActorParameters.CopyTo(_actor.Parameters);
        Version = published.Version;
        return true;
    }

    /// <summary>The current version's actions for n observations (the span is the network's buffer).</summary>
    internal ReadOnlySpan<float> Act(ReadOnlySpan<float> observations, int n) => _actor.Forward(observations, n);

    public Quote Decide(in BiddingContext context)
    {
        if (Version < 0)
        {
            throw new InvalidOperationException("no policy version received yet");
        }

        context.Observation.WriteTo(_input);
        var action = _actor.Forward(_input, 1);
        return new Quote(
            ActionMapping.Price(action[0], context.FeedInTariffAudPerKwh, context.GridPriceAudPerKwh),
            ActionMapping.Quantity(action[1], context.CapKwh));
    }
}
