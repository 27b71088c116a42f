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
            welfare, volume, MatchRate(participation), Jain(values), Gini(values), mean, std,
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

    /// <summary>
    /// SPEC 8: Jain = (sum x)^2 / (n sum x^2). With no agents, or all utilities zero, everyone is equal: 1.
    /// </summary>
    public static double Jain(IReadOnlyList<double> x)
    {
        double sum = 0, squares = 0;
        foreach (var v in x)
        {
            sum += v;
            squares += v * v;
        }

        return squares == 0 ? 1 : sum * sum / (x.Count * squares);
    }

    /// <summary>
    /// SPEC 8: Gini = sum_i sum_j |x_i - x_j| / (2 n^2 mean), computed in O(n log n) from the sorted values
    /// (sum_i sum_j |x_i - x_j| = 2 sum_k (2k - n + 1) x_(k), 0-based). Zero when the mean is zero.
    /// </summary>
    public static double Gini(IReadOnlyList<double> x)
    {
        var n = x.Count;
        if (n == 0)
        {
            return 0;
        }

        var sorted = new double[n];
        for (var i = 0; i < n; i++)
        {
            sorted[i] = x[i];
        }

        Array.Sort(sorted);
        double sum = 0, weighted = 0;
        for (var k = 0; k < n; k++)
        {
            sum += sorted[k];
            weighted += ((2.0 * k) - n + 1) * sorted[k];
        }

        var mean = sum / n;
        return mean == 0 ? 0 : 2 * weighted / (2.0 * n * n * mean);
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
