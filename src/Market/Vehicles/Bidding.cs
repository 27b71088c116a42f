using V2V.Market.Orders;

namespace V2V.Market.Vehicles;

/// <summary>
/// What a bidding policy may see when it prices an order (SPEC 6): its role, its private true value (v for a
/// buyer, c for a seller), the most it can trade this step, the local observation of SPEC 7, and the tariff
/// bounds that prices must stay within.
/// </summary>
public readonly record struct BiddingContext(
    Side Side,
    double TrueValueAudPerKwh,
    double CapKwh,
    Observation Observation,
    double FeedInTariffAudPerKwh,
    double GridPriceAudPerKwh);

/// <summary>A policy's answer: a price in [FiT, p_grid] and a quantity in [0, cap] (SPEC 3).</summary>
public readonly record struct Quote(double PriceAudPerKwh, double EnergyKwh);

/// <summary>
/// A bidding policy (SPEC 6). One instance per agent, so per-agent parameters (such as a markup) live in it.
/// </summary>
public interface IBiddingPolicy
{
    Quote Decide(in BiddingContext context);
}
