using V2V.Coordinator.Ledger;
using V2V.Host.Configuration;
using V2V.Host.Run;
using V2V.Market.Configuration;

namespace V2V.Host.Verify;

/// <summary>
/// One folder's verdict: the headline after "DIR: ", the findings under it, and the exit code (0, 1 or 2).
/// <paramref name="Checked"/> is false when the folder could not be checked at all (no folder, no readable ledger).
/// </summary>
internal sealed record FolderReport(int Code, string Headline, IReadOnlyList<string> Lines, bool Checked = true)
{
    public static FolderReport Unchecked(string problem, int code = 2) => new(code, $"cannot be checked: {problem}", [], Checked: false);
}

/// <summary>
/// `verify` on one run folder: reads the ledger line by line, the completion marker and config.json; checks the
/// ledger's order (<see cref="LedgerSequenceVerifier"/>), its arrivals against the arrival process
/// (<see cref="ArrivalAudit"/>), its settlement and conservation (<see cref="LedgerVerifier"/>) and the derived
/// files (<see cref="RunFolderVerifier"/>). A complete run is checked whole; an incomplete one is reported as
/// such, with its closed steps checked (the open step's entries are cut short by design). Nothing it reads can make
/// it throw: every problem is a finding.
/// </summary>
internal static class FolderVerifier
{
    public static FolderReport Verify(string dir)
    {
        ArgumentNullException.ThrowIfNull(dir);
        if (!Directory.Exists(dir))
        {
            return Unreadable(File.Exists(dir) ? "not a folder (a file)" : "no such folder");
        }

        var ledgerPath = Path.Combine(dir, RunFolderFiles.Ledger);
        LedgerFile ledger;
        try
        {
            if (!File.Exists(ledgerPath))
            {
                return Unreadable($"no {RunFolderFiles.Ledger} (is it a run folder?)");
            }

            ledger = LedgerFile.Read(ledgerPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Unreadable($"{RunFolderFiles.Ledger}: cannot be read ({RunFolderFiles.Why(e)})");
        }

        var findings = new Findings();
        var marker = CompletionMarker.Read(dir, findings);
        var config = ReadConfig(dir, marker.IsComplete, findings);
        findings.Violations(ledger.Corrupt);
        var entries = ledger.Entries;
        var shape = LedgerSequenceVerifier.Check(entries);
        findings.Violations(shape.Violations);
        var header = shape.Header;
        if (header is not null)
        {
            CheckArrivals(entries, header, config, findings);
        }

        var totalSteps = header?.Steps;
        var allClosed = totalSteps is { } t && shape.StepsClosed >= t;
        if (marker.IsComplete)
        {
            CheckComplete(ledger, shape, marker, findings);
        }
        else if (marker.OpenStep is { } open && open != shape.StepsClosed && !allClosed)
        {
            findings.Violation($"{RunFolderFiles.Incomplete}: step {open} was open, but the ledger's open step is {shape.StepsClosed}");
        }

        // An incomplete run's open step is cut short by design: only the closed steps are held to the invariants.
        var checkedEntries = marker.IsComplete || allClosed ? entries : entries.Take(shape.ClosedEntries).ToList();
        if (checkedEntries.Count > 0)
        {
            findings.Violations(LedgerVerifier.Verify(checkedEntries));
        }

        if (marker.IsComplete || allClosed)
        {
            RunFolderVerifier.Verify(dir, checkedEntries.Select(e => e.Entry), required: marker.IsComplete, findings);
        }

        var headline = marker.IsComplete
            ? findings.Count == 0 ? "ok" : Tally(findings)
            : IncompleteHeadline(ledger, shape, marker, findings);
        return new FolderReport(findings.Code == 0 && !marker.IsComplete ? 1 : findings.Code, headline, [.. findings.Lines]);
    }

    private static FolderReport Unreadable(string problem) => FolderReport.Unchecked(problem);

    // config.json is written first, so only a folder from before that rule lacks it, and then only if it never finished.
    private static MarketConfig? ReadConfig(string dir, bool complete, Findings findings)
    {
        var path = Path.Combine(dir, RunFolderFiles.Config);
        if (!File.Exists(path))
        {
            if (complete)
            {
                findings.Violation($"{RunFolderFiles.Config}: missing, but {RunFolderFiles.Complete} says the run finished");
            }

            return null;
        }

        try
        {
            return MarketConfigBinder.Bind(ConfigLoader.Load(path, []));
        }
        catch (ConfigException e)
        {
            findings.Unreadable(e.Message.Replace(path, RunFolderFiles.Config, StringComparison.Ordinal));
            return null;
        }
    }

    private static void CheckArrivals(IReadOnlyList<NumberedEntry> entries, RunStarted header, MarketConfig? config, Findings findings)
    {
        if (config is null)
        {
            if (ArrivalAudit.Bounded(entries, header) is { } bounded)
            {
                findings.Violation(bounded + $" (no usable {RunFolderFiles.Config}: arrivals bounded by the header, not replayed)");
            }

            return;
        }

        var line = entries[0].Line;
        foreach (var (field, ledgerValue, configValue) in new (string, object, object)[]
        {
            ("seed", header.Seed, config.Seed), ("agents", header.Agents, config.Population.Agents), ("steps", header.Steps, config.Time.TotalSteps),
            ("mechanism", header.Mechanism, config.Clearing.Mechanism), ("policy", header.Policy, config.Policy.Kind),
            ("batteryKwh", header.BatteryKwh, config.Vehicle.BatteryKwh), ("efficiency", header.Efficiency, config.Vehicle.Efficiency),
        })
        {
            if (!Equals(ledgerValue, configValue))
            {
                findings.Violation($"line {line}: the run header has {field} {ledgerValue}, {RunFolderFiles.Config} has {configValue}");
            }
        }

        if (ArrivalAudit.Exact(entries, config) is { } exact)
        {
            findings.Violation(exact);
        }
    }

    private static void CheckComplete(LedgerFile ledger, LedgerSequence shape, CompletionMarker marker, Findings findings)
    {
        const string File = RunFolderFiles.Complete;
        if (marker.LedgerBytes is { } bytes && bytes != ledger.Bytes)
        {
            findings.Violation($"{File}: ledgerBytes {bytes}, but {RunFolderFiles.Ledger} has {ledger.Bytes} bytes (changed after the run ended?)");
        }

        if (ledger.TornLine is { } torn)
        {
            findings.Violation($"line {torn}: cut off mid-write (no end of line), but {File} says the run finished");
        }

        if (shape.Header is not { } header)
        {
            if (ledger.Entries.Count == 0)
            {
                findings.Violation($"{RunFolderFiles.Ledger}: no entry, but {File} says the run finished");
            }

            return;
        }

        if (marker.Steps is { } steps && steps != header.Steps)
        {
            findings.Violation($"{File}: steps {steps}, but the run header has {header.Steps}");
        }

        if (shape.StepsClosed < header.Steps)
        {
            findings.Violation($"line {ledger.Lines}: the ledger ends here, after {Closed(shape)}, but the run has {header.Steps} steps and {File} says it finished");
            return;
        }

        // Every EV is sent home after the last step; asked only of a ledger that got there.
        foreach (var (agent, line) in shape.StillParked)
        {
            findings.Violation($"line {line}: {agent} arrived here and never departed, but {File} says the run finished");
        }
    }

    private static string IncompleteHeadline(LedgerFile ledger, LedgerSequence shape, CompletionMarker marker, Findings findings)
    {
        // A run stopped in step 0 may leave an empty ledger (the first flush is at step 0's close): short, not wrong.
        var total = shape.Header is { } h ? $"{shape.StepsClosed} of {h.Steps} steps closed"
            : ledger.Entries.Count == 0 ? "no step closed (the ledger holds no entry)"
            : $"{shape.StepsClosed} steps closed, of a number unknown (no run header)";
        var end = shape.LastClosedLine > 0 ? $" (the last at line {shape.LastClosedLine} of {ledger.Lines})" : "";
        var torn = ledger.TornLine is { } t ? $"; line {t} cut off mid-write, taken as the end" : "";
        var verdict = findings.Count > 0 ? Tally(findings)
            : shape.StepsClosed == 0 ? "nothing closed to check"
            : $"the {shape.StepsClosed} closed steps verify";
        return $"incomplete ({marker.Why}): {total}{end}{torn}; {verdict}";
    }

    private static string Tally(Findings findings) => $"{findings.Count} {(findings.Code == 2 ? "problem(s)" : "violation(s)")}";

    private static string Closed(LedgerSequence shape) =>
        shape.StepsClosed == 0 ? "no step closed" : $"step {shape.StepsClosed - 1} closed (line {shape.LastClosedLine})";
}
