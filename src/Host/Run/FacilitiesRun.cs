using System.Diagnostics;
using Spectre.Console;
using V2V.Clearing;
using V2V.Coordinator.Ledger;
using V2V.Host.Output;
using V2V.Learning;
using V2V.Market.Configuration;
using V2V.Simulation;
using V2V.Simulation.Cluster;
using V2V.Simulation.Facilities;

namespace V2V.Host.Run;

/// <summary>What a run of several facilities is made from: the run's market (the run seed), the facilities and the rest of the run's settings.</summary>
internal sealed record FacilitiesJob(
    string Dir,
    MarketConfig Market,
    SimulationConfig Simulation,
    IReadOnlyList<Facility> Facilities,
    Akka.Configuration.Config Akka,
    PolicyModel? Model,
    bool Quiet,
    Func<MarketConfig, IClearingMechanism>? Clearing)
{
    /// <summary>The cluster the facilities run on (--cluster, --nodes), or null for one process.</summary>
    public ClusterRun? Cluster { get; init; }
}

/// <summary>
/// `v2v run --facilities F` for F &gt; 1: every facility a market of its own in one actor system, all stepping in
/// parallel, each with its folder under <c>facilities/</c> (<see cref="FacilityFolders"/>); then the run-level
/// summary.json and complete.json (<see cref="FacilitiesSummary"/>). A failure in any facility stops the run: every
/// facility folder gets incomplete.json (the failed facility's with the cause, the others' naming it) and so does the
/// run folder.
/// </summary>
internal static class FacilitiesRun
{
    public static int Execute(FacilitiesJob job, TextWriter output, TextWriter error, StopSignals signals)
    {
        var clock = Stopwatch.StartNew();
        FacilityFolders.Create(job.Dir, job.Facilities);
        FacilitySetResult? result = null;
        Exception? stopped = null;
        var simulated = TimeSpan.Zero;
        var ledgers = new List<JsonLinesLedger>(job.Facilities.Count);
        try
        {
            foreach (var f in job.Facilities)
            {
                ledgers.Add(new JsonLinesLedger(Path.Combine(FacilityFolders.PathOf(job.Dir, f.Id), RunFolder.Ledger)));
            }

            var started = clock.Elapsed;
            result = RunWithProgress(job, ledgers, error, signals.Token);
            simulated = clock.Elapsed - started;
        }
        catch (Exception e) when (e is SimulationFailedException or SimulationInterruptedException or ClusterUnavailableException)
        {
            stopped = e;
        }
        finally
        {
            // Flushed and closed before any marker is written.
            foreach (var l in ledgers)
            {
                l.Dispose();
            }
        }

        if (stopped is SimulationFailedException failed)
        {
            MarkIncomplete(job, failed.FacilitySteps, (f, steps) => "facility " + f.Id == failed.Failed
                ? (IncompleteReason.Failed, failed.Message)
                : (IncompleteReason.Interrupted, $"stopped when {failed.Message}; {Closed(steps)}"));
            RunFolder.WriteIncomplete(job.Dir, IncompleteReason.Failed, failed.Step, failed.Message);
            error.WriteLine($"v2v run: {failed.Message}; the run folder {job.Dir} is marked incomplete");
            return 1;
        }

        if (stopped is ClusterUnavailableException unavailable)
        {
            RunFolder.WriteIncomplete(job.Dir, IncompleteReason.Failed, 0, unavailable.Message);
            error.WriteLine($"v2v run: {unavailable.Message}; the run folder {job.Dir} is marked incomplete");
            return 1;
        }

        if (stopped is SimulationInterruptedException interrupted)
        {
            MarkIncomplete(job, interrupted.FacilitySteps, (_, steps) => (IncompleteReason.Interrupted, $"{signals.Name} received; {Closed(steps)}"));
            RunFolder.WriteIncomplete(job.Dir, IncompleteReason.Interrupted, interrupted.Step, $"{signals.Name} received; every facility: at least {Closed(interrupted.Step)}");
            error.WriteLine($"v2v run: interrupted by {signals.Name} after {interrupted.Step} of {job.Market.Time.TotalSteps} steps in every facility; the run folder {job.Dir} is marked incomplete");
            return signals.ExitCode;
        }

        FacilitiesSummary summary;
        try
        {
            // Each facility's results come from its own ledger: independent, so written in parallel (reading a ledger
            // back and writing four files is most of the time after the simulation).
            var rows = new FacilitiesSummary.Row[job.Facilities.Count];
            Parallel.For(0, rows.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 * Environment.ProcessorCount }, k =>
            {
                var f = job.Facilities[k];
                var dir = FacilityFolders.PathOf(job.Dir, f.Id);
                var r = result!.Facilities[k];
                var metrics = new RunMetrics(LedgerJson.ReadFile(Path.Combine(dir, RunFolder.Ledger)), f.Market, r.Trace.StepOpenedMs, r.IsSlow);
                RunFolder.WriteResults(dir, metrics, r, clock.Elapsed, job.Model, job.Simulation.Clock);
                rows[k] = new FacilitiesSummary.Row(f, metrics.Summary(), r);
            });
            summary = new FacilitiesSummary(job.Market, rows, result!.StepWallMs, simulated, clock.Elapsed);
            summary.Write(job.Dir);
        }
        catch (AggregateException all) when (all.InnerExceptions.All(IsWriteFailure))
        {
            return ResultsFailed(job, all.InnerExceptions[0], error);
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
            return ResultsFailed(job, e, error);
        }

        summary.WriteTable(output, job.Dir);
        SummaryTable.WriteClock(output, job.Simulation.Clock);
        return 0;
    }

    private static string Closed(int steps) => steps == 0 ? "no step closed" : $"steps 0-{steps - 1} closed";

    private static bool IsWriteFailure(Exception e) => e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException;

    // Every step ran, but the folder lacks its results: it must not pass for a complete run.
    private static int ResultsFailed(FacilitiesJob job, Exception e, TextWriter error)
    {
        var cause = $"writing the results failed after all {job.Market.Time.TotalSteps} steps: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";
        RunFolder.WriteIncomplete(job.Dir, IncompleteReason.Failed, job.Market.Time.TotalSteps, cause);
        error.WriteLine($"v2v run: {cause}; the run folder {job.Dir} is marked incomplete");
        return 1;
    }

    // Each facility's folder says how far that facility got: they stop at different steps (no barrier between them).
    private static void MarkIncomplete(FacilitiesJob job, IReadOnlyList<int> steps, Func<Facility, int, (IncompleteReason Reason, string Cause)> why)
    {
        for (var k = 0; k < job.Facilities.Count && k < steps.Count; k++)
        {
            var f = job.Facilities[k];
            var (reason, cause) = why(f, steps[k]);
            RunFolder.WriteIncomplete(FacilityFolders.PathOf(job.Dir, f.Id), reason, steps[k], cause);
        }
    }

    private static FacilitySetResult RunWithProgress(FacilitiesJob job, IReadOnlyList<ILedgerSink> ledgers, TextWriter error, CancellationToken stop)
    {
        Func<Facility, IClearingMechanism?>? clearing = job.Clearing is { } c ? f => c(f.Market) : null;
        FacilitySetResult Run(Action<int, int>? progress) => SimulationRunner.RunFacilities(
            job.Facilities, job.Simulation, ledgers, progress, job.Model, clearing, stop, job.Akka, cluster: job.Cluster);
        if (job.Quiet)
        {
            return Run(null);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        FacilitySetResult? result = null;
        var total = job.Facilities.Count * job.Market.Time.TotalSteps;
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(
                    $"{job.Facilities.Count} facilities x {job.Market.Population.Agents} EVs, {job.Market.Time.Days} days: steps done across facilities",
                    maxValue: total);
                result = Run((done, _) => task.Value = done);
                task.Value = total;
            });
        return result!;
    }
}
