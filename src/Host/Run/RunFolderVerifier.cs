using System.Globalization;
using System.Text.Json;
using V2V.Coordinator.Ledger;

namespace V2V.Host.Run;

/// <summary>
/// Checks a run folder's derived files against its ledger, the record of truth: summary.json's trade counts, and
/// agents.csv's ledger SoC of every EV (arrival SoC plus its committed trades, SPEC 5). Files that are absent are
/// not checked (a run that crashed leaves only its ledger).
/// </summary>
public static class RunFolderVerifier
{
    private const double Tolerance = 1e-9;

    public static IReadOnlyList<string> Verify(string dir, IReadOnlyList<LedgerEntry> ledger)
    {
        var v = new List<string>();
        var cleared = new Dictionary<long, TradeCleared>();
        var soc = new Dictionary<string, double>(StringComparer.Ordinal);
        double battery = double.NaN, eta = double.NaN;
        int committed = 0, voided = 0;
        foreach (var e in ledger)
        {
            switch (e)
            {
                case RunStarted r:
                    (battery, eta) = (r.BatteryKwh, r.Efficiency);
                    break;
                case AgentArrived a:
                    soc[a.Agent] = a.Soc;
                    break;
                case TradeCleared t:
                    cleared[t.Trade] = t;
                    break;
                case TradeCommitted c when cleared.TryGetValue(c.Trade, out var t):
                    committed++;
                    soc[t.Buyer] = soc.GetValueOrDefault(t.Buyer) + (eta * t.Quantity / battery);
                    soc[t.Seller] = soc.GetValueOrDefault(t.Seller) - (t.Quantity / battery);
                    break;
                case TradeVoided:
                    voided++;
                    break;
            }
        }

        CheckSummary(Path.Combine(dir, "summary.json"), committed, voided, v);
        CheckAgents(Path.Combine(dir, "agents.csv"), soc, v);
        return v;
    }

    private static void CheckSummary(string path, int committed, int voided, List<string> v)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        foreach (var (key, expected) in new[] { ("tradesCommitted", committed), ("tradesVoided", voided) })
        {
            if (!doc.RootElement.TryGetProperty(key, out var p) || p.GetInt32() != expected)
            {
                v.Add($"summary.json: {key} is {(p.ValueKind == JsonValueKind.Undefined ? "missing" : p.ToString())}, the ledger has {expected}");
            }
        }
    }

    private static void CheckAgents(string path, Dictionary<string, double> soc, List<string> v)
    {
        if (!File.Exists(path))
        {
            return;
        }

        var lines = File.ReadAllLines(path);
        var header = lines.Length > 0 ? lines[0].Split(',') : [];
        var agentCol = Array.IndexOf(header, "agent");
        var socCol = Array.IndexOf(header, "ledger_soc");
        if (agentCol < 0 || socCol < 0)
        {
            v.Add("agents.csv: no agent or ledger_soc column");
            return;
        }

        var seen = 0;
        for (var i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            var agent = cells[agentCol];
            seen++;
            if (!soc.TryGetValue(agent, out var expected))
            {
                v.Add($"agents.csv line {i + 1}: {agent} never arrived in the ledger");
            }
            else if (!double.TryParse(cells[socCol], NumberStyles.Float, CultureInfo.InvariantCulture, out var reported)
                || Math.Abs(reported - expected) > Tolerance)
            {
                v.Add($"agents.csv line {i + 1}: {agent} has ledger_soc {cells[socCol]}, the ledger gives {expected}");
            }
        }

        if (seen != soc.Count)
        {
            v.Add($"agents.csv: {seen} agents, the ledger has {soc.Count}");
        }
    }
}
