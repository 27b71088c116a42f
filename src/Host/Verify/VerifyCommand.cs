using V2V.Host.Cli;

namespace V2V.Host.Verify;

/// <summary>`v2v verify RUN_DIR...`: re-checks each run folder from its files alone, one verdict per folder.</summary>
public sealed class VerifyCommand : ICommand
{
    // A broken ledger can break thousands of lines the same way; the first ones locate it.
    private const int MaxLinesPerFolder = 50;

    public string Name => "verify";

    public string Summary => "re-check run folders: completion, step order, arrivals, settlement, conservation, SoC of every EV";

    public string Help => """
        usage: v2v verify RUN_DIR [RUN_DIR ...]

        Checks each run folder from its files alone and prints one verdict per folder, each problem on its own line
        with the ledger line where it happens:
        - completion: complete.json present, its step count the run's and its ledgerBytes the ledger's size; a
          folder marked incomplete.json, or with no marker, is reported as incomplete with how many steps closed
          and whether those verify (a last line cut off mid-write is taken as the end of an incomplete ledger);
        - order: one run header, first; steps closed 0, 1, 2... with none missing or repeated up to the header's
          count; every entry in its step (a step counter that goes back, as when a market starts again, is caught);
        - arrivals: replayed from config.json's seeded arrival process (the same EVs, steps, SoC, targets and
          departure steps, none twice, no more than it made); without a usable config.json, bounded by the
          header (N EVs at step 0, ids in arrival order), which cannot bound the number of later arrivals;
        - settlement: each cleared trade committed or voided exactly once, between parked parties with orders on
          those sides, within their quantities, at a price inside [ask, bid]; no commit after a party left;
        - conservation: every EV that reported its final state reports its arrival SoC and zero cash plus exactly
          its committed trades; summary.json's trade counts and agents.csv's ledger_soc agree with the ledger.
        A run of several facilities (--facilities F) is checked facility by facility, each line naming its facility,
        and its run-level summary.json against the facilities' own.
        Exit 0 when every folder is complete and clean, 1 when one is incomplete or has violations, 2 when a folder
        or one of its files cannot be read (the worst over the folders; every folder is checked).
        """;

    public IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Help];

    public int MaxPositional => int.MaxValue;

    public int Execute(Arguments args, TextWriter output, TextWriter error)
    {
        if (args.Positional.Count == 0)
        {
            throw new UsageException("RUN_DIR: required (a folder written by 'v2v run')");
        }

        var worst = 0;
        foreach (var dir in args.Positional)
        {
            FolderReport report;
            try
            {
                report = FacilitiesVerifier.Applies(dir) ? FacilitiesVerifier.Verify(dir) : FolderVerifier.Verify(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                report = FolderReport.Unchecked(RunFolderFiles.Why(e));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A defect of verify itself: said on one line, and the next folders are still checked.
                report = FolderReport.Unchecked($"internal error of verify: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}", code: 1);
            }

            worst = Math.Max(worst, report.Code);
            if (!report.Checked)
            {
                error.WriteLine($"v2v verify: {dir}: {report.Headline}");
                continue;
            }

            output.WriteLine($"{dir}: {report.Headline}");
            foreach (var line in report.Lines.Take(MaxLinesPerFolder))
            {
                output.WriteLine($"  {line}");
            }

            if (report.Lines.Count > MaxLinesPerFolder)
            {
                output.WriteLine($"  ... and {report.Lines.Count - MaxLinesPerFolder} more");
            }
        }

        return worst;
    }
}
