using V2V.Coordinator.Ledger;
using V2V.Host.Cli;

namespace V2V.Host.Verify;

/// <summary>`v2v verify RUN_DIR`: re-checks every ledger invariant from the run's files alone.</summary>
public sealed class VerifyCommand : ICommand
{
    public string Name => "verify";

    public string Summary => "re-check a run folder's ledger: settlement, conservation, SoC of every EV";

    public string Help => """
        usage: v2v verify RUN_DIR [RUN_DIR ...]

        Reads RUN_DIR/ledger.jsonl and checks: each cleared trade committed or voided exactly once; every
        trade between parked parties with orders on those sides, within their quantities, at a price inside
        [ask, bid]; no commit after a party left; every EV that reported its final state reports its arrival
        SoC and zero cash plus exactly its committed trades (energy and money conserved, nothing applied twice);
        and, when present, that summary.json's trade counts and agents.csv's ledger_soc agree with the ledger.
        Exit 0 when every folder is clean, 1 with a list of violations, 2 when a folder or ledger cannot be read.
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
            var path = Path.Combine(dir, "ledger.jsonl");
            if (!File.Exists(path))
            {
                error.WriteLine($"v2v verify: {dir}: no ledger.jsonl (is it a run folder?)");
                worst = 2;
                continue;
            }

            IReadOnlyList<string> violations;
            try
            {
                var ledger = LedgerJson.ReadFile(path).ToList();
                violations = [.. LedgerVerifier.Verify(ledger), .. Run.RunFolderVerifier.Verify(dir, ledger)];
            }
            catch (LedgerFormatException e)
            {
                error.WriteLine($"v2v verify: {path}: {e.Message}");
                worst = 2;
                continue;
            }

            if (violations.Count == 0)
            {
                output.WriteLine($"{dir}: ok");
                continue;
            }

            worst = Math.Max(worst, 1);
            output.WriteLine($"{dir}: {violations.Count} violation(s)");
            foreach (var v in violations)
            {
                output.WriteLine($"  {v}");
            }
        }

        return worst;
    }
}
