using System.Text.Json;
using V2V.Coordinator.Ledger;
using V2V.Market.Configuration;

namespace V2V.Host.Study;

/// <summary>
/// One run of the study as runs.csv shows it: its grid cell and its SPEC 8 metrics, read from the run folder's
/// summary.json, plus the SPEC 10 supply/demand ratio, which summary.json does not hold and is computed from the
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
    double SupplyDemandRatio)
{
    /// <summary>SW per agent: the run's SW over its N (the EVs parked at step 0; occupancy hovers around N).</summary>
    public double SocialWelfarePerAgentAud => SocialWelfareAud / Run.Agents;

    /// <summary>The metrics summary.csv and the report aggregate, in column order: (column name, value).</summary>
    public IReadOnlyList<(string Metric, double Value)> Metrics =>
    [
        ("social_welfare_aud", SocialWelfareAud),
        ("social_welfare_per_agent_aud", SocialWelfarePerAgentAud),
        ("volume_kwh", VolumeKwh),
        ("match_rate", MatchRate),
        ("jain", Jain),
        ("gini", Gini),
        ("price_mean_aud_per_kwh", PriceMeanAudPerKwh),
        ("price_std_aud_per_kwh", PriceStdAudPerKwh),
        ("supply_demand_ratio", SupplyDemandRatio),
    ];

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
            SupplyDemand(LedgerJson.ReadFile(Path.Combine(dir, V2V.Host.Run.RunFolder.Ledger)), market.Vehicle.SellerBuffer));
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
