using V2V.Market.Vehicles;

namespace V2V.Learning.Maddpg;

/// <summary>SPEC 7: the actor's two tanh outputs as an order, and back.</summary>
public static class ActionMapping
{
    public const int Size = 2;

    /// <summary>price = FiT + (p_grid - FiT)(x1 + 1) / 2.</summary>
    public static double Price(double x1, double feedInTariff, double gridPrice) =>
        feedInTariff + ((gridPrice - feedInTariff) * (Math.Clamp(x1, -1, 1) + 1) / 2);

    /// <summary>quantity = cap (x2 + 1) / 2.</summary>
    public static double Quantity(double x2, double capKwh) => capKwh * (Math.Clamp(x2, -1, 1) + 1) / 2;

    /// <summary>The order an actor output (x1, x2) stands for in <paramref name="context"/>'s tariff and cap.</summary>
    public static Quote ToQuote(ReadOnlySpan<float> action, in BiddingContext context) =>
        new(Price(action[0], context.FeedInTariffAudPerKwh, context.GridPriceAudPerKwh), Quantity(action[1], context.CapKwh));

    /// <summary>The x1 that maps to <paramref name="price"/> (for tests and for reading a learned bid).</summary>
    public static double PriceToAction(double price, double feedInTariff, double gridPrice) =>
        (2 * (price - feedInTariff) / (gridPrice - feedInTariff)) - 1;
}
