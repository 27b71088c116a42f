namespace V2V.Host.Tests.Verify;

/// <summary>
/// `v2v verify` on folders whose files cannot be read or parsed: one line naming the file and the problem in plain
/// words (no parser internals), no exception, and the folders after it still checked; the exit code is the worst.
/// </summary>
public sealed class VerifyUnreadableFilesTests(CleanRunFixture run) : IClassFixture<CleanRunFixture>
{
    [Theory]
    [InlineData("{\n  \"steps\": 16,\n  \"tradesCommitted\": 4", "summary.json: not valid JSON at line 3 (the file ends early)")]
    [InlineData("{\n  \"steps\": 16,\n", "summary.json: not valid JSON at line 3 (the file ends early)")]
    [InlineData("[]", "summary.json: an array, expected an object")]
    [InlineData("42", "summary.json: a number, expected an object")]
    [InlineData("", "summary.json: empty")]
    [InlineData("{\"steps\": 16,,}", "summary.json: not valid JSON at line 1, column 14")]
    public void Verify_BadSummaryThenAGoodFolder_OneLineForTheBadAndTheGoodStillChecked(string summary, string expected)
    {
        var bad = run.Copy();
        File.WriteAllText(Path.Combine(bad, "summary.json"), summary);

        var (code, output, error) = V2vCli.Run("verify", bad, run.Dir);

        Assert.Equal(2, code);
        Assert.Equal("", error);
        Assert.Equal([$"{bad}: 1 problem(s)", $"  {expected}", $"{run.Dir}: ok"], Lines(output));
    }

    [Fact]
    public void Verify_SummaryCountOfTheWrongType_NamedAsAViolation()
    {
        var dir = run.Copy();
        var path = Path.Combine(dir, "summary.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"tradesVoided\": 0", "\"tradesVoided\": \"none\"", StringComparison.Ordinal));

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Equal([$"{dir}: 1 violation(s)", "  summary.json: tradesVoided is \"none\", the ledger has 0"], Lines(output));
    }

    [Theory]
    [InlineData("{\"kind\":\"arrival\",\"agent\":\"ev-000000\",\"soc\":\"high\",\"targetSoc\":0.6,\"departureStep\":9,\"step\":0}", "arrival entry: \"soc\" is a string \"high\", expected a number")]
    [InlineData("{\"kind\":\"arrival\",\"step\":0}", "arrival entry without \"agent\"")]
    [InlineData("{\"kind\":\"teleport\",\"step\":0}", "unknown kind \"teleport\"")]
    [InlineData("{\"agent\":\"ev-000000\"}", "no \"kind\" field")]
    [InlineData("[1,2]", "an array, not an entry object")]
    [InlineData("{\"kind\":\"arrival\",,}", "not valid JSON at column 19")]
    [InlineData("{\"step\":0,\"kind\":\"commit\",\"trade\":1}", "\"kind\" is not the first field")]
    [InlineData("{\"kind\":\"commit\",\"trade\":1,\"step\":1e20}", "commit entry: \"step\" is a number 1e20, expected a whole number")]
    [InlineData("", "empty line")]
    public void Verify_MalformedLedgerLine_PlainMessageAtItsLine(string line, string expected)
    {
        var dir = run.CopyWithLedger(run.Lines.Select((l, i) => i == 1 ? line : l));

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Equal($"  line 2: {expected}", Lines(output)[1]);
        foreach (var internals in new[] { "Path:", "LineNumber", "BytePosition", "System.", "Exception" })
        {
            Assert.DoesNotContain(internals, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Verify_MissingFolderFileAndLedger_ExitTwoEachNamedAndTheGoodFolderChecked()
    {
        var noLedger = run.Copy();
        File.Delete(Path.Combine(noLedger, "ledger.jsonl"));
        var file = Path.Combine(noLedger, "summary.json");
        var missing = Path.Combine(noLedger, "nothing-here");

        var (code, output, error) = V2vCli.Run("verify", missing, file, noLedger, run.Dir);

        Assert.Equal(2, code);
        Assert.Equal(
            [
                $"v2v verify: {missing}: cannot be checked: no such folder",
                $"v2v verify: {file}: cannot be checked: not a folder (a file)",
                $"v2v verify: {noLedger}: cannot be checked: no ledger.jsonl (is it a run folder?)",
            ],
            Lines(error));
        Assert.Equal([$"{run.Dir}: ok"], Lines(output));
    }

    [Fact]
    public void Verify_CompleteMarkerTruncated_ProblemAndTheRunTakenAsIncomplete()
    {
        var dir = run.Copy();
        File.WriteAllText(Path.Combine(dir, "complete.json"), "{\"status\":\"complete\",\"steps\":16,\"ledg");

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(2, code);
        Assert.Equal(
            [
                $"{dir}: incomplete (complete.json unreadable): 16 of 16 steps closed (the last at line {run.CloseLineOf(15)} of {run.Lines.Count}); 1 problem(s)",
                "  complete.json: not valid JSON at line 1 (the file ends early)",
            ],
            Lines(output));
    }

    [Fact]
    public void Verify_BothMarkers_Caught()
    {
        var dir = run.Copy();
        File.WriteAllText(Path.Combine(dir, "incomplete.json"), "{\"status\":\"incomplete\",\"reason\":\"failed\",\"step\":3,\"cause\":\"x\"}");

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Equal([$"{dir}: 1 violation(s)", "  complete.json and incomplete.json are both present; a run ends one way"], Lines(output));
    }

    [Fact]
    public void Verify_UnusableConfig_NamedWithItsPosition()
    {
        var dir = run.Copy();
        File.WriteAllText(Path.Combine(dir, "config.json"), "{ \"v2v\": { \"seed\": \"zero\" } }");

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(2, code);
        Assert.Matches(@"^  config\.json:1:\d+: v2v\.seed: ", Lines(output)[1]);
    }

    private static string[] Lines(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
}
