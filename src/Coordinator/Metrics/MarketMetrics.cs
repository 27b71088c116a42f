using V2V.Clearing;
namespace V2V.Coordinator.Metrics;

/// <summary>The SPEC 8 numbers of a run or of part of one.</summary>
public sealed record MetricsSummary(
    double SocialWelfareAud,
    double VolumeKwh,
    double MatchRate,
    double JainIndex,
    double GiniIndex,
    double PriceMeanAudPerKwh,
    double PriceStdAudPerKwh,
    double GridEnergyDisplacedKwh,
    double GridValueDisplacedAud,
    int Trades,
    int AgentsEverActive);

/// <summary>
/// SPEC 8 metrics as pure functions of committed trades and participation counts. Utilities are on true values:
/// a buyer gains q(eta v - p) (it receives eta q), a seller q(p - c); so social welfare, the sum of all utilities,
/// is sum q(eta v - c), which is SPEC 8's sum q(v - c) at the default eta = 1.
/// </summary>
public static class MarketMetrics
{
    public static MetricsSummary Compute(
        IReadOnlyList<ScoredTrade> trades,
        IReadOnlyList<StepParticipation> participation,
        IReadOnlyCollection<string> agentsEverActive,
        double efficiency)
    {
        var utilities = AgentUtilities(trades, agentsEverActive, efficiency);
        double welfare = 0, volume = 0, displaced = 0, displacedValue = 0;
        foreach (var t in trades)
        {
            welfare += t.EnergyKwh * ((efficiency * t.BuyerValueAudPerKwh) - t.SellerCostAudPerKwh);
            volume += t.EnergyKwh;
            displaced += efficiency * t.EnergyKwh;
            displacedValue += efficiency * t.EnergyKwh * t.GridPriceAudPerKwh;
        }

        var (mean, std) = WeightedPrice(trades);
        var values = new double[utilities.Count];
        var i = 0;
        foreach (var u in utilities.Values)
        {
            values[i++] = u;
        }

        return new MetricsSummary(
            welfare, volume, MatchRate(participation), Fairness.Jain(values), Fairness.Gini(values), mean, std,
            displaced, displacedValue, trades.Count, agentsEverActive.Count);
    }

    /// <summary>
    /// SPEC 8: each ever-active agent's cumulative true-value utility (zero if it never traded), keyed by id in
    /// ordinal order so every consumer sees the same order.
    /// </summary>
    public static SortedDictionary<string, double> AgentUtilities(
        IReadOnlyList<ScoredTrade> trades, IReadOnlyCollection<string> agentsEverActive, double efficiency)
    {
        var utilities = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var id in agentsEverActive)
        {
            utilities[id] = 0;
        }

        foreach (var t in trades)
        {
            utilities[t.BuyerId] = utilities.GetValueOrDefault(t.BuyerId)
                + (t.EnergyKwh * ((efficiency * t.BuyerValueAudPerKwh) - t.PriceAudPerKwh));
            utilities[t.SellerId] = utilities.GetValueOrDefault(t.SellerId)
                + (t.EnergyKwh * (t.PriceAudPerKwh - t.SellerCostAudPerKwh));
        }

        return utilities;
    }

    /// <summary>SPEC 8: matched active participants over active participants, summed over steps; 0 if none.</summary>
    public static double MatchRate(IReadOnlyList<StepParticipation> participation)
    {
        long active = 0, matched = 0;
        foreach (var p in participation)
        {
            active += p.ActiveParticipants;
            matched += p.MatchedParticipants;
        }

        return active == 0 ? 0 : (double)matched / active;
    }


    /// <summary>SPEC 8: quantity-weighted mean and standard deviation of clearing prices; zeros with no trades.</summary>
    public static (double Mean, double Std) WeightedPrice(IReadOnlyList<ScoredTrade> trades)
    {
        double w = 0, sum = 0;
        foreach (var t in trades)
        {
            w += t.EnergyKwh;
            sum += t.EnergyKwh * t.PriceAudPerKwh;
        }

        if (w == 0)
        {
            return (0, 0);
        }

        var mean = sum / w;
        double variance = 0;
        foreach (var t in trades)
        {
            var d = t.PriceAudPerKwh - mean;
            variance += t.EnergyKwh * d * d;
        }

        return (mean, Math.Sqrt(variance / w));
    }
}
