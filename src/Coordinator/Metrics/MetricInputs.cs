namespace V2V.Coordinator.Metrics;

/// <summary>
/// A committed trade with the private values the metrics are scored on (SPEC 8 scores everything on true
/// values): the buyer's v, the seller's c, and the grid price at that step.
/// </summary>
public readonly record struct ScoredTrade(
    int StepIndex,
    string BuyerId,
    string SellerId,
    double PriceAudPerKwh,
    double EnergyKwh,
    double BuyerValueAudPerKwh,
    double SellerCostAudPerKwh,
    double GridPriceAudPerKwh);

/// <summary>How many participants were active (bidding) in a step and how many of them traded.</summary>
public readonly record struct StepParticipation(int StepIndex, int ActiveParticipants, int MatchedParticipants);
