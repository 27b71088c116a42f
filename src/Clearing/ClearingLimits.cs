namespace V2V.Clearing;

/// <summary>
/// The values a book may hold for the Nash solver to certify it (ours; SPEC 4 gives no ranges). Inside them the
/// solver's scaled data (gains over the largest gain, quantities over the largest quantity, eps over their product)
/// stay far from overflow and underflow; `v2v clear` rejects values outside them, naming the field.
/// </summary>
public static class ClearingLimits
{
    /// <summary>eps in log(eps + u_k): 1e-9 .. 1 AUD.</summary>
    public const double MinEpsilonAud = 1e-9;

    public const double MaxEpsilonAud = 1;

    /// <summary>A price is 0 or 1e-6 .. 1e3 AUD/kWh.</summary>
    public const double MinPositivePriceAudPerKwh = 1e-6;

    public const double MaxPriceAudPerKwh = 1e3;

    /// <summary>A quantity is 0 or 1e-9 .. 1e6 kWh.</summary>
    public const double MinPositiveQuantityKwh = 1e-9;

    public const double MaxQuantityKwh = 1e6;

    /// <summary>Whether x is 0 or within [minPositive, max].</summary>
    public static bool InRange(double x, double minPositive, double max) => x == 0 || (x >= minPositive && x <= max);
}
