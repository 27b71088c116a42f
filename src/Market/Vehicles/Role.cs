namespace V2V.Market.Vehicles;

/// <summary>An EV's role in a step, recomputed every step from its state of charge (SPEC 2).</summary>
public enum Role
{
    Neutral,
    Buyer,
    Seller,
}
