using V2V.Agents.Vehicles;
using V2V.Market.Configuration;
using V2V.Market.Vehicles;

namespace V2V.Agents.Policies;

/// <summary>The non-learning policies of SPEC 6 by configured name; a learned one is supplied by the Host.</summary>
public static class Policies
{
    /// <summary>The kind of a policy that bids with a model trained by `v2v train` (SPEC 7), not built in.</summary>
    public const string Learned = "learned";

    public static Func<Vehicle, IBiddingPolicy> For(PolicyConfig config) => config.Kind switch
    {
        "truthful" => _ => TruthfulPolicy.Instance,
        "markup" => v => new MarkupPolicy(v.Markup),
        _ => throw new ArgumentException($"policy '{config.Kind}' needs a trained model (--model DIR); built-in policies: truthful, markup"),
    };
}
