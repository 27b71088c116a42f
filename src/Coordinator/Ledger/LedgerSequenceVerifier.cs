namespace V2V.Coordinator.Ledger;

/// <summary>What <see cref="LedgerSequenceVerifier"/> found: the header, how far the steps got, and what is out of order.</summary>
/// <param name="StepsClosed">One past the last step closed (the ledger's last close; 0 when none): the run got this far.</param>
/// <param name="ClosedEntries">How many entries lie up to and including the last step's close (the closed steps' part).</param>
/// <param name="LastClosedLine">The line of the last step close, 0 when no step closed.</param>
/// <param name="StillParked">EVs that arrived and never departed, with their arrival line.</param>
public sealed record LedgerSequence(
    RunStarted? Header,
    int StepsClosed,
    int ClosedEntries,
    int LastClosedLine,
    IReadOnlyList<(string Agent, int Line)> StillParked,
    IReadOnlyList<string> Violations);

/// <summary>
/// Checks the order of a ledger as the market writes it (MarketSession, MarketCoordinatorActor): one run header,
/// first, at step 0; then for each step t in turn: departures, arrivals, accepted and rejected orders, trades,
/// commits and voids, all of step t, then the close of step t; after the last step (t = Steps) only the final
/// departures. Step closes run 0, 1, 2... without a gap or a repeat, up to the header's step count. Arrivals,
/// accepted orders, trades, commits and voids belong to the open step (the one after the last closed); departures,
/// faults and rejected orders may name an earlier step (an EV's report or a stale order delayed in transit), never
/// a later one. A step counter that goes back (a market started again) or jumps ahead (a step never closed) is
/// reported once, at the line where it happens, and checking goes on from that line's step (or from the step before
/// it, when the next entry shows the jump was one stray entry).
/// </summary>
public static class LedgerSequenceVerifier
{
    public static LedgerSequence Check(IReadOnlyList<NumberedEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var v = new List<string>();
        RunStarted? header = null;
        var headerLine = 0;
        var open = 0;

        // The open step before the last entry that jumped: an entry of that step again means the jump was one stray
        // entry (the counter never moved), not a market that started again.
        int? before = null;
        int closedEntries = 0, lastClosedLine = 0, stepsClosed = 0;
        var parked = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var (line, entry) = (entries[i].Line, entries[i].Entry);
            if (entry is RunStarted run)
            {
                if (i == 0)
                {
                    (header, headerLine) = (run, line);
                    CheckHeader(run, line, v);
                }
                else
                {
                    v.Add($"line {line}: a second run header (the first is line {(headerLine > 0 ? headerLine : entries[0].Line)}): the market was started again");
                }

                continue;
            }

            if (i == 0)
            {
                v.Add($"line {line}: the ledger does not start with a run header");
            }

            var kind = KindOf(entry);
            var step = entry.Step;
            var lags = entry is AgentDeparted or FaultInjected or OrderRejected;
            if (step == before && !lags)
            {
                (open, before) = (step, null);
            }

            if (entry is StepClosed)
            {
                if (step != open)
                {
                    v.Add(step == open - 1 ? $"line {line}: step {step} closed twice"
                        : step < open
                        ? $"line {line}: step {step} closed after step {open - 1}: the step counter went back (the market started again?)"
                        : $"line {line}: step {step} closed, but {Steps(open, step - 1)} never closed");
                }
                else if (header is not null && step >= header.Steps)
                {
                    v.Add($"line {line}: step {step} closed, but the run header (line {headerLine}) has {header.Steps} steps (0..{header.Steps - 1})");
                }

                (open, before) = (step + 1, null);
                (closedEntries, lastClosedLine, stepsClosed) = (i + 1, line, open);
                continue;
            }

            if (step < 0)
            {
                v.Add($"line {line}: {kind} for step {step}; steps count from 0");
            }
            else if (step > open || (!lags && step < open))
            {
                v.Add(step > open
                    ? $"line {line}: {kind} for step {step} while step {open} is open: {Steps(open, step - 1)} never closed"
                    : $"line {line}: {kind} for step {step} after step {open - 1} closed: the step counter went back (the market started again?)");
                (open, before) = (step, open);
            }
            else if (!lags && header is not null && step >= header.Steps)
            {
                v.Add($"line {line}: {kind} for step {step}, after the run's last step {header.Steps - 1}");
            }

            if (entry is AgentArrived a)
            {
                parked.TryAdd(a.Agent, line);
            }
            else if (entry is AgentDeparted d)
            {
                parked.Remove(d.Agent);
            }
        }

        var stillParked = parked.Select(p => (p.Key, p.Value)).OrderBy(p => p.Value).ToList();
        return new LedgerSequence(header, stepsClosed, closedEntries, lastClosedLine, stillParked, v);
    }

    /// <summary>The entry's kind as ledger.jsonl names it.</summary>
    public static string KindOf(LedgerEntry entry) => entry switch
    {
        RunStarted => "run header",
        AgentArrived => "arrival",
        AgentDeparted => "departure",
        OrderAccepted => "order",
        OrderRejected => "rejected order",
        TradeCleared => "trade",
        TradeCommitted => "commit",
        TradeVoided => "void",
        FaultInjected => "fault",
        StepClosed => "step close",
        _ => entry.GetType().Name,
    };

    private static void CheckHeader(RunStarted run, int line, List<string> v)
    {
        if (run.Step != 0)
        {
            v.Add($"line {line}: run header at step {run.Step}, expected step 0");
        }

        if (run.Agents < 1 || run.Steps < 1)
        {
            v.Add($"line {line}: run header has agents {run.Agents} and steps {run.Steps}; both must be at least 1");
        }

        if (!(run.BatteryKwh > 0) || !(run.Efficiency > 0 && run.Efficiency <= 1))
        {
            v.Add($"line {line}: run header has batteryKwh {run.BatteryKwh} and efficiency {run.Efficiency}; expected > 0 and in (0, 1]");
        }
    }

    private static string Steps(int first, int last) => first == last ? $"step {first}" : $"steps {first}..{last}";
}
