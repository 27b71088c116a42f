using System.Reflection;
using System.Text.Json.Serialization;
using V2V.Clearing;
using V2V.Coordinator.Ledger;
using V2V.Coordinator.Session;
using V2V.Market.Configuration;

namespace V2V.Coordinator.Recovery;

/// <summary>An EV on the roster when a step opens, as the ledger has it: admission order, silence, departure step.</summary>
public sealed record RosterEntry(string Agent, bool Silent, int DepartureStep);

/// <summary>
/// Where a coordinator resumes, rebuilt from the ledger alone: the session (balances, prices, counts, scored trades), the
/// step about to open, the EVs parked in admission order, the EVs that arrived before it (which the facility's arrival
/// process must draw again, the same), those dropped in the last step (for the facility to retire), the simulated time
/// the step cannot open before, and when each closed step opened.
/// </summary>
public sealed record ResumePoint(
    MarketSession Session,
    int Step,
    IReadOnlyList<RosterEntry> Parked,
    IReadOnlyList<string> Arrived,
    IReadOnlyList<string> Gone,
    double SettledMs,
    IReadOnlyList<double> StepOpenedMs);

/// <summary>
/// Rebuilds a coordinator's state from the records of its ledger, at the boundary before step <c>k</c>: nothing comes
/// from an object the failed coordinator held, so a coordinator elsewhere could resume from the same records. The
/// ledger must be this run's (its header is the one this configuration writes), well formed to its last byte, and end
/// exactly at the close of step k - 1 (or at the header, for k = 0), each step closed once and in order, with the
/// simulated time it settled. Anything else cannot be resumed from: a <see cref="LedgerResumeException"/> says why.
/// </summary>
public static class LedgerResume
{
    public static ResumePoint At(int step, LedgerFile ledger, MarketConfig config, IClearingMechanism mechanism, ILedgerSink sink)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(mechanism);
        try
        {
            var entries = Checked(step, ledger, MarketSession.Header(config, mechanism));
            return Rebuild(step, entries, config, mechanism, sink);
        }
        catch (LedgerResumeException e)
        {
            throw new LedgerResumeException($"cannot resume before step {step} from the ledger: {e.Message}");
        }
    }

    private static IReadOnlyList<NumberedEntry> Checked(int step, LedgerFile ledger, RunStarted header)
    {
        if (ledger.Corrupt.Count > 0)
        {
            throw new LedgerResumeException(ledger.Corrupt[0]);
        }

        if (ledger.TornLine is { } torn)
        {
            throw new LedgerResumeException($"line {torn} is cut off mid-record");
        }

        var entries = ledger.Entries;
        if (entries.Count == 0 || entries[0].Entry is not RunStarted first)
        {
            throw new LedgerResumeException("it does not begin with the run header");
        }

        if (first != header)
        {
            throw new LedgerResumeException($"its header is another run's ({Describe(first)}; this run writes {Describe(header)})");
        }

        var closed = 0;
        for (var i = 1; i < entries.Count; i++)
        {
            var (line, entry) = entries[i];
            if (entry is RunStarted)
            {
                throw new LedgerResumeException($"line {line}: a second run header");
            }

            if (entry.Step != closed)
            {
                throw new LedgerResumeException($"line {line}: an entry of step {entry.Step} where step {closed} is the open one");
            }

            if (entry is StepClosed c)
            {
                closed++;
                if (c.SettledMs is null)
                {
                    throw new LedgerResumeException($"line {line}: step {c.Step} closed without its settlement time");
                }
            }
        }

        if (closed != step || (entries[^1].Entry is not StepClosed && step > 0) || (step == 0 && entries.Count > 1))
        {
            var (line, last) = entries[^1];
            throw new LedgerResumeException($"it ends at line {line} with a {Kind(last)} entry of step {last.Step}, not at the close of step {step - 1}");
        }

        return entries;
    }

    private static ResumePoint Rebuild(int step, IReadOnlyList<NumberedEntry> entries, MarketConfig config, IClearingMechanism mechanism, ILedgerSink sink)
    {
        var session = MarketSession.Replay(config, mechanism, sink, entries);
        var stepMs = TimeSpan.FromHours(config.Time.StepHours).TotalMilliseconds;
        var arrivals = new List<AgentArrived>();
        var silent = new HashSet<string>(StringComparer.Ordinal);
        var departed = new HashSet<string>(StringComparer.Ordinal);
        var gone = new List<string>();
        var opened = new List<double>();
        var settledMs = 0.0;
        foreach (var (_, entry) in entries)
        {
            switch (entry)
            {
                case AgentArrived a:
                    arrivals.Add(a);
                    break;
                case FaultInjected { Fault: "silent" } f:
                    silent.Add(f.Agent);
                    break;
                case AgentDeparted d:
                    departed.Add(d.Agent);
                    if (!d.Reported && d.Step == step - 1)
                    {
                        gone.Add(d.Agent);
                    }

                    break;
                case StepClosed c:
                    // The coordinator's own rule: a step opens at its scheduled time, or when the previous one settled.
                    opened.Add(Math.Max(c.Step * stepMs, settledMs));
                    settledMs = c.SettledMs!.Value;
                    break;
            }
        }

        var parked = arrivals.Where(a => !departed.Contains(a.Agent))
            .Select(a => new RosterEntry(a.Agent, silent.Contains(a.Agent), a.DepartureStep))
            .ToList();
        return new ResumePoint(session, step, parked, [.. arrivals.Select(a => a.Agent)], gone, settledMs, opened);
    }

    private static string Describe(RunStarted h) =>
        $"seed {h.Seed}, {h.Mechanism}, {h.Policy}, {h.Agents} agents, {h.Steps} steps, {h.BatteryKwh} kWh, efficiency {h.Efficiency}";

    // The entry's "kind" as the ledger writes it.
    private static readonly Dictionary<Type, string> Kinds = typeof(LedgerEntry).GetCustomAttributes<JsonDerivedTypeAttribute>()
        .ToDictionary(a => a.DerivedType, a => (string)a.TypeDiscriminator!);

    private static string Kind(LedgerEntry e) => Kinds[e.GetType()];
}

/// <summary>A ledger a coordinator cannot resume from, and why (the run stops).</summary>
public sealed class LedgerResumeException(string message) : Exception(message);
