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

    /// <summary>The x1 that maps to <paramref name="price"/> (for tests and for reading a learned bid).</summary>
    public static double PriceToAction(double price, double feedInTariff, double gridPrice) =>
        (2 * (price - feedInTariff) / (gridPrice - feedInTariff)) - 1;
}
