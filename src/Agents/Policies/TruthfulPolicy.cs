using V2V.Market.Vehicles;

namespace V2V.Agents.Policies;

/// <summary>SPEC 6: bid the true value (v or c) for the whole cap.</summary>
public sealed class TruthfulPolicy : IBiddingPolicy
{
    public static TruthfulPolicy Instance { get; } = new();

    public Quote Decide(in BiddingContext context) =>
        new(PriceBounds.Clamp(context.TrueValueAudPerKwh, context), context.CapKwh);
}
