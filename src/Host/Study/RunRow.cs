using System.Text.Json;
using V2V.Coordinator.Ledger;
using V2V.Market.Configuration;

namespace V2V.Host.Study;

/// <summary>
/// One run of the study as runs.csv shows it: its grid cell and its SPEC 8 metrics, read from the run folder's
/// summary.json (with the late-order rate, the voided trades and the mean utility of the fast and slow latency
/// classes), plus the SPEC 10 supply/demand ratio, which summary.json does not hold and is computed from the
/// ledger here: the sum over every EV that arrived (those parked at step 0 included) of its spare energy at arrival,
/// max(0, SoC - target - seller buffer) x battery kWh, over the same sum of its need, max(0, target - SoC) x battery
/// kWh (SPEC 2's surplus and need). Each EV counts once, at arrival, so energy re-offered after a step without a
/// match is not counted twice. Infinity when no EV needed anything.
/// </summary>
internal sealed record RunRow(
    StudyRun Run,
    double SocialWelfareAud,
    double VolumeKwh,
    double MatchRate,
    double Jain,
    double Gini,
    double PriceMeanAudPerKwh,
    double PriceStdAudPerKwh,
    double SupplyDemandRatio,
    double LateOrderRate,
    double TradesVoided,
    double FastMeanUtilityAud,
    double SlowMeanUtilityAud)
{
    /// <summary>The column names of <see cref="Metrics"/>, in order.</summary>
    public static IReadOnlyList<string> MetricNames { get; } =
    [
        "social_welfare_aud", "social_welfare_per_agent_aud", "volume_kwh", "match_rate", "jain", "gini",
        "price_mean_aud_per_kwh", "price_std_aud_per_kwh", "supply_demand_ratio", "late_order_rate", "trades_voided",
        "fast_mean_utility_aud", "slow_mean_utility_aud",
    ];

    /// <summary>SW per agent: the run's SW over its N (the EVs parked at step 0; occupancy hovers around N).</summary>
    public double SocialWelfarePerAgentAud => SocialWelfareAud / Run.Agents;

    /// <summary>The metrics summary.csv and the report aggregate, in column order: (column name, value).</summary>
    public IReadOnlyList<(string Metric, double Value)> Metrics =>
    [
        .. MetricNames.Zip(
        (double[])[
            SocialWelfareAud, SocialWelfarePerAgentAud, VolumeKwh, MatchRate, Jain, Gini, PriceMeanAudPerKwh,
            PriceStdAudPerKwh, SupplyDemandRatio, LateOrderRate, TradesVoided, FastMeanUtilityAud, SlowMeanUtilityAud,
        ]),
    ];

    /// <summary>The value of one column of <see cref="Metrics"/>.</summary>
    public double Metric(string name) => Metrics.First(m => m.Metric == name).Value;

    public static RunRow Read(string dir, StudyRun run, MarketConfig market)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
        var s = doc.RootElement;
        return new RunRow(
            run,
            s.GetProperty("socialWelfareAud").GetDouble(),
            s.GetProperty("volumeKwh").GetDouble(),
            s.GetProperty("matchRate").GetDouble(),
            s.GetProperty("jain").GetDouble(),
            s.GetProperty("gini").GetDouble(),
            s.GetProperty("priceMeanAudPerKwh").GetDouble(),
            s.GetProperty("priceStdAudPerKwh").GetDouble(),
            SupplyDemand(LedgerJson.ReadFile(Path.Combine(dir, V2V.Host.Run.RunFolder.Ledger)), market.Vehicle.SellerBuffer),
            s.GetProperty("lateOrderRate").GetDouble(),
            s.GetProperty("tradesVoided").GetDouble(),
            ClassMeanUtility(s, "fastAgents"),
            ClassMeanUtility(s, "slowAgents"));
    }

    // A latency class's mean utility; NaN when the class is empty (no slow agents without a slow fraction).
    private static double ClassMeanUtility(JsonElement summary, string latencyClass)
    {
        var c = summary.GetProperty(latencyClass);
        return c.GetProperty("agents").GetInt32() > 0 && c.GetProperty("meanUtilityAud").ValueKind == JsonValueKind.Number
            ? c.GetProperty("meanUtilityAud").GetDouble() : double.NaN;
    }

    /// <summary>SPEC 10's supply/demand ratio of one ledger (see the type's summary).</summary>
    public static double SupplyDemand(IEnumerable<LedgerEntry> ledger, double sellerBuffer)
    {
        double battery = double.NaN;
        double spare = 0;
        double need = 0;
        foreach (var entry in ledger)
        {
            switch (entry)
            {
                case RunStarted started:
                    battery = started.BatteryKwh;
                    break;
                case AgentArrived a:
                    spare += Math.Max(0, a.Soc - a.TargetSoc - sellerBuffer) * battery;
                    need += Math.Max(0, a.TargetSoc - a.Soc) * battery;
                    break;
            }
        }

        return need > 0 ? spare / need : double.PositiveInfinity;
    }
}
