using V2V.Market.Vehicles;

namespace V2V.Agents.Policies;

/// <summary>SPEC 3: order prices lie in [FiT, p_grid].</summary>
internal static class PriceBounds
{
    public static double Clamp(double price, in BiddingContext context) =>
        Math.Clamp(price, context.FeedInTariffAudPerKwh, context.GridPriceAudPerKwh);
}
