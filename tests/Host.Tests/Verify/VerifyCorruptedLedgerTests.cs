namespace V2V.Host.Tests.Verify;

/// <summary>
/// `v2v verify` on copies of a real clean run whose ledger was corrupted the ways a market fails (issue 17): each is
/// caught with its message at the ledger line where it goes wrong. The fixture's run: 10 EVs, 16 steps, seed 3.
/// </summary>
public sealed class VerifyCorruptedLedgerTests(CleanRunFixture run) : IClassFixture<CleanRunFixture>
{
    private const string WentBack = "the step counter went back (the market started again?)";

    [Fact]
    public void Verify_CleanRun_OkExitZero()
    {
        var (code, output, error) = V2vCli.Run("verify", run.Dir);

        Assert.Equal("", error);
        Assert.Equal($"{run.Dir}: ok\n", output.ReplaceLineEndings("\n"));
        Assert.Equal(0, code);
    }

    [Fact]
    public void Verify_MarketRestartedWithNewEvs_CaughtAtTheFirstLineOfTheRestart()
    {
        // The issue's restart: after step 9 the market starts again from step 0, and the arrival process, which goes
        // on, sends N new EVs (ids it never made before, so no id repeats).
        var close9 = run.CloseLineOf(9);
        var replay = run.Lines.Skip(1).Take(run.CloseLineOf(5) - 1).Select(l => l.Replace("ev-0000", "ev-0001", StringComparison.Ordinal));
        var dir = run.CopyWithLedger([.. run.Lines.Take(close9), .. replay]);
        var restart = close9 + 1;

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        var lines = Lines(output);
        Assert.Equal($"  line {restart}: arrival for step 0 after step 9 closed: {WentBack}", lines[1]);
        Assert.StartsWith($"  line {restart}: ev-000100 arrived at step 0, but the arrival process (config.json) made no more EVs at step 0", lines[2], StringComparison.Ordinal);
        Assert.DoesNotContain("arrived twice", output, StringComparison.Ordinal);
        var end = close9 + run.CloseLineOf(5) - 1;
        Assert.Contains($"  line {end}: the ledger ends here, after step 5 closed (line {end}), but the run has 16 steps and complete.json says it finished", lines);
    }

    [Fact]
    public void Verify_MarketRestartedWithTheSameEvs_CaughtAsARestartAndRepeatedIds()
    {
        var close9 = run.CloseLineOf(9);
        var dir = run.CopyWithLedger([.. run.Lines.Take(close9), .. run.Lines.Skip(1).Take(run.CloseLineOf(5) - 1)]);

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Contains($"  line {close9 + 1}: arrival for step 0 after step 9 closed: {WentBack}", Lines(output));
        Assert.Contains($"  line {close9 + 1}: step 0: ev-000000 arrived twice", Lines(output));
    }

    [Fact]
    public void Verify_RestartWithoutConfig_CaughtByTheHeaderBound()
    {
        var close9 = run.CloseLineOf(9);
        var replay = run.Lines.Skip(1).Take(run.CloseLineOf(5) - 1).Select(l => l.Replace("ev-0000", "ev-0001", StringComparison.Ordinal));
        var dir = run.CopyWithLedger([.. run.Lines.Take(close9), .. replay]);
        File.Delete(Path.Combine(dir, "config.json"));
        var arrivedBefore = run.Lines.Take(close9).Count(l => l.StartsWith("{\"kind\":\"arrival\"", StringComparison.Ordinal));

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Contains(
            $"  line {close9 + 1}: ev-000100 arrived at step 0, but the arrival process numbers its EVs in arrival order and the next is ev-{arrivedBefore:D6} (no usable config.json: arrivals bounded by the header, not replayed)",
            Lines(output));
        Assert.Contains("  config.json: missing, but complete.json says the run finished", Lines(output));
    }

    [Fact]
    public void Verify_SecondRunHeader_NamesItsLine()
    {
        var close3 = run.CloseLineOf(3);
        var dir = run.CopyWithLedger([.. run.Lines.Take(close3), run.Lines[0], .. run.Lines.Skip(close3)]);

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Equal([$"{dir}: 1 violation(s)", $"  line {close3 + 1}: a second run header (the first is line 1): the market was started again"], Lines(output));
    }

    [Fact]
    public void Verify_ArrivalIdTwice_NamesTheSecondLine()
    {
        var arrival = run.FirstLineOf("arrival", 7);
        var dir = run.CopyWithLedger([.. run.Lines.Take(arrival), run.Lines[arrival - 1], .. run.Lines.Skip(arrival)]);
        var id = run.Lines[arrival - 1].Split('"')[7];

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Contains($"  line {arrival + 1}: step 7: {id} arrived twice", Lines(output));
        Assert.Contains(Lines(output), l => l.StartsWith($"  line {arrival + 1}: {id} arrived at step 7, but the arrival process (config.json) made no more EVs at step 7", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_MoreArrivalsThanTheProcessMade_NamesTheLine()
    {
        var made = run.Lines.Count(l => l.StartsWith("{\"kind\":\"arrival\"", StringComparison.Ordinal));
        var close15 = run.CloseLineOf(15);
        var extra = $"{{\"kind\":\"arrival\",\"agent\":\"ev-{made:D6}\",\"soc\":0.5,\"targetSoc\":0.6,\"departureStep\":16,\"step\":15}}";
        var dir = run.CopyWithLedger([.. run.Lines.Take(close15 - 1), extra, .. run.Lines.Skip(close15 - 1)]);

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Contains($"  line {close15}: ev-{made:D6} arrived at step 15, but the arrival process (config.json) made only {made} EVs in the run's 16 steps", Lines(output));
        Assert.Contains($"  line {close15}: ev-{made:D6} arrived here and never departed, but complete.json says the run finished", Lines(output));
    }

    [Fact]
    public void Verify_AStepsEntriesMissing_CaughtAtTheNextStepsFirstLine()
    {
        var first7 = run.CloseLineOf(6) + 1;
        var dir = run.CopyWithLedger([.. run.Lines.Take(first7 - 1), .. run.Lines.Skip(run.CloseLineOf(7))]);

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Contains($"  line {first7}: {KindAt(run.CloseLineOf(7) + 1)} for step 8 while step 7 is open: step 7 never closed", Lines(output));
    }

    [Fact]
    public void Verify_AStepNotClosed_CaughtAtTheNextStepsFirstLine()
    {
        var close7 = run.CloseLineOf(7);
        var dir = run.CopyWithLedger(run.Lines.Where((_, i) => i != close7 - 1));

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Equal([$"{dir}: 1 violation(s)", $"  line {close7}: {KindAt(close7 + 1)} for step 8 while step 7 is open: step 7 never closed"], Lines(output));
    }

    [Fact]
    public void Verify_LastStepNotClosed_CaughtAndTheRunCalledShort()
    {
        var close15 = run.CloseLineOf(15);
        var dir = run.CopyWithLedger(run.Lines.Where((_, i) => i != close15 - 1));
        var last = run.Lines.Count - 1;

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Equal(
            [
                $"{dir}: 2 violation(s)",
                $"  line {close15}: departure for step 16 while step 15 is open: step 15 never closed",
                $"  line {last}: the ledger ends here, after step 14 closed (line {run.CloseLineOf(14)}), but the run has 16 steps and complete.json says it finished",
            ],
            Lines(output));
    }

    [Fact]
    public void Verify_TruncatedAtAStepBoundaryWithoutMarker_IncompleteAndTheClosedStepsVerify()
    {
        var close9 = run.CloseLineOf(9);
        var dir = run.Copy();
        File.Delete(Path.Combine(dir, "complete.json"));
        CleanRunFixture.WriteLedger(dir, run.Lines.Take(close9));

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Equal([$"{dir}: incomplete (no completion marker): 10 of 16 steps closed (the last at line {close9} of {close9}); the 10 closed steps verify"], Lines(output));
    }

    [Fact]
    public void Verify_TruncatedWithIncompleteMarker_SaysWhyAndWhere()
    {
        var close9 = run.CloseLineOf(9);
        var dir = run.Copy();
        File.Delete(Path.Combine(dir, "complete.json"));
        File.WriteAllText(Path.Combine(dir, "incomplete.json"), "{\"status\":\"incomplete\",\"reason\":\"interrupted\",\"step\":10,\"cause\":\"SIGTERM\"}");
        CleanRunFixture.WriteLedger(dir, run.Lines.Take(close9 + 3));

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Equal([$"{dir}: incomplete (interrupted at step 10: SIGTERM): 10 of 16 steps closed (the last at line {close9} of {close9 + 3}); the 10 closed steps verify"], Lines(output));
    }

    [Fact]
    public void Verify_IncompleteMarkerNamingAnotherStep_Caught()
    {
        var dir = run.Copy();
        File.Delete(Path.Combine(dir, "complete.json"));
        File.WriteAllText(Path.Combine(dir, "incomplete.json"), "{\"status\":\"incomplete\",\"reason\":\"failed\",\"step\":4,\"cause\":\"solver\"}");
        CleanRunFixture.WriteLedger(dir, run.Lines.Take(run.CloseLineOf(9)));

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Contains("  incomplete.json: step 4 was open, but the ledger's open step is 10", Lines(output));
        Assert.StartsWith($"{dir}: incomplete (failed at step 4: solver): 10 of 16 steps closed", Lines(output)[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_TruncatedAtAStepBoundaryButMarkedComplete_NamesWhereItEnds()
    {
        var close9 = run.CloseLineOf(9);
        var dir = run.CopyWithLedger(run.Lines.Take(close9));

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Equal($"  line {close9}: the ledger ends here, after step 9 closed (line {close9}), but the run has 16 steps and complete.json says it finished", Lines(output)[1]);
    }

    [Fact]
    public void Verify_TornLastLine_IncompleteNotRefused()
    {
        var close9 = run.CloseLineOf(9);
        var dir = run.Copy();
        File.Delete(Path.Combine(dir, "complete.json"));
        var next = run.Lines[close9 + 2];
        File.WriteAllText(Path.Combine(dir, "ledger.jsonl"), string.Concat(run.Lines.Take(close9 + 2).Select(l => l + "\n")) + next[..(next.Length / 2)]);

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Equal(
            [$"{dir}: incomplete (no completion marker): 10 of 16 steps closed (the last at line {close9} of {close9 + 3}); line {close9 + 3} cut off mid-write, taken as the end; the 10 closed steps verify"],
            Lines(output));
    }

    [Fact]
    public void Verify_TornLastLineButMarkedComplete_Caught()
    {
        var dir = run.Copy();
        var last = run.Lines[^1];
        File.WriteAllText(Path.Combine(dir, "ledger.jsonl"), string.Concat(run.Lines.SkipLast(1).Select(l => l + "\n")) + last[..10]);
        RunFolderMarker.Write(dir, 16, new FileInfo(Path.Combine(dir, "ledger.jsonl")).Length);

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Contains($"  line {run.Lines.Count}: cut off mid-write (no end of line), but complete.json says the run finished", Lines(output));
    }

    [Fact]
    public void Verify_TornMiddleLine_CorruptionAtItsLine()
    {
        var order = run.FirstLineOf("order", 7);
        var dir = run.CopyWithLedger(run.Lines.Select((l, i) => i == order - 1 ? l[..(l.Length / 2)] : l));

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Equal($"  line {order}: not valid JSON (the line ends early)", Lines(output)[1]);
    }

    [Fact]
    public void Verify_MarkerWithWrongLedgerBytes_Caught()
    {
        var dir = run.Copy();
        var bytes = new FileInfo(Path.Combine(dir, "ledger.jsonl")).Length;
        RunFolderMarker.Write(dir, 16, bytes - 1);

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Equal([$"{dir}: 1 violation(s)", $"  complete.json: ledgerBytes {bytes - 1}, but ledger.jsonl has {bytes} bytes (changed after the run ended?)"], Lines(output));
    }

    [Fact]
    public void Verify_StepCountOverflowedInTheHeader_Caught()
    {
        var dir = run.CopyWithLedger(run.Lines.Select((l, i) => i == 0 ? l.Replace("\"steps\":16", "\"steps\":-1894967296", StringComparison.Ordinal) : l));

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Equal("  line 1: run header has agents 10 and steps -1894967296; both must be at least 1", Lines(output)[1]);
        Assert.Contains("  line 1: the run header has steps -1894967296, config.json has 16", Lines(output));
    }

    [Fact]
    public void Verify_StepEntriesWithAnExtraField_Tolerated()
    {
        var dir = run.CopyWithLedger(run.Lines.Select(l => l.StartsWith("{\"kind\":\"step\"", StringComparison.Ordinal) ? l.Replace("\"late\"", "\"certified\":true,\"late\"", StringComparison.Ordinal) : l));

        Assert.Equal((0, $"{dir}: ok\n"), Run(dir));
    }

    [Fact]
    public void Verify_RunStoppedInStepZero_EmptyLedgerIsIncompleteNotCorrupt()
    {
        var dir = run.Copy();
        File.Delete(Path.Combine(dir, "complete.json"));
        File.WriteAllText(Path.Combine(dir, "ledger.jsonl"), "");

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Equal([$"{dir}: incomplete (no completion marker): no step closed (the ledger holds no entry); nothing closed to check"], Lines(output));
    }

    [Fact]
    public void Verify_CompleteRunWithoutMarker_IncompleteExitOne()
    {
        var dir = run.Copy();
        File.Delete(Path.Combine(dir, "complete.json"));

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Equal([$"{dir}: incomplete (no completion marker): 16 of 16 steps closed (the last at line {run.CloseLineOf(15)} of {run.Lines.Count}); the 16 closed steps verify"], Lines(output));
    }

    private static string[] Lines(string output) => output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');

    private static (int Code, string Out) Run(string dir)
    {
        var (code, output, _) = V2vCli.Run("verify", dir);
        return (code, output.ReplaceLineEndings("\n"));
    }

    private string KindAt(int line) => run.Lines[line - 1].Split('"')[3] switch
    {
        "rejected" => "rejected order",
        var k => k,
    };
}
