using System.Globalization;
using System.Text.Json;
using V2V.Coordinator.Ledger;
using V2V.Host.Verify;

namespace V2V.Host.Run;

/// <summary>
/// Checks a run folder's derived files against its ledger, the record of truth: summary.json's trade counts, and
/// agents.csv's ledger SoC of every EV (arrival SoC plus its committed trades, SPEC 5). A run marked complete must
/// have both; otherwise an absent file is not checked. A file that cannot be read is a finding, never an exception.
/// </summary>
internal static class RunFolderVerifier
{
    private const double Tolerance = 1e-9;

    public static void Verify(string dir, IEnumerable<LedgerEntry> ledger, bool required, Findings findings)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(findings);
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

        foreach (var name in new[] { RunFolderFiles.Summary, RunFolderFiles.Agents })
        {
            if (required && !File.Exists(Path.Combine(dir, name)))
            {
                findings.Violation($"{name}: missing, but {RunFolderFiles.Complete} says the run finished");
            }
        }

        CheckSummary(dir, committed, voided, findings);
        CheckAgents(Path.Combine(dir, RunFolderFiles.Agents), soc, findings);
    }

    private static void CheckSummary(string dir, int committed, int voided, Findings findings)
    {
        if (RunFileJson.ReadObject(dir, RunFolderFiles.Summary, findings) is not { } summary)
        {
            return;
        }

        foreach (var (key, expected) in new[] { ("tradesCommitted", committed), ("tradesVoided", voided) })
        {
            if (!summary.TryGetProperty(key, out var p) || p.ValueKind != JsonValueKind.Number || !p.TryGetInt64(out var n) || n != expected)
            {
                findings.Violation($"{RunFolderFiles.Summary}: {key} is {(p.ValueKind == JsonValueKind.Undefined ? "missing" : p.GetRawText())}, the ledger has {expected}");
            }
        }
    }

    private static void CheckAgents(string path, Dictionary<string, double> soc, Findings findings)
    {
        const string File = RunFolderFiles.Agents;
        string[] lines;
        try
        {
            if (!System.IO.File.Exists(path))
            {
                return;
            }

            lines = System.IO.File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            findings.Unreadable($"{File}: cannot be read ({RunFolderFiles.Why(e)})");
            return;
        }

        var header = lines.Length > 0 ? lines[0].Split(',') : [];
        var agentCol = Array.IndexOf(header, "agent");
        var socCol = Array.IndexOf(header, "ledger_soc");
        if (agentCol < 0 || socCol < 0)
        {
            findings.Violation($"{File}: no agent or ledger_soc column");
            return;
        }

        var seen = 0;
        for (var i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            if (cells.Length != header.Length)
            {
                findings.Violation($"{File} line {i + 1}: {cells.Length} cells, the header has {header.Length}");
                continue;
            }

            var agent = cells[agentCol];
            seen++;
            if (!soc.TryGetValue(agent, out var expected))
            {
                findings.Violation($"{File} line {i + 1}: {agent} never arrived in the ledger");
            }
            else if (!double.TryParse(cells[socCol], NumberStyles.Float, CultureInfo.InvariantCulture, out var reported)
                || Math.Abs(reported - expected) > Tolerance)
            {
                findings.Violation($"{File} line {i + 1}: {agent} has ledger_soc {cells[socCol]}, the ledger gives {expected}");
            }
        }

        if (seen != soc.Count)
        {
            findings.Violation($"{File}: {seen} agents, the ledger has {soc.Count}");
        }
    }
}
