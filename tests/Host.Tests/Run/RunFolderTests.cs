using System.Text.Json;
using V2V.Coordinator.Ledger;
using V2V.Host.Cli;
using V2V.Host.Run;

namespace V2V.Host.Tests.Run;

/// <summary>The run folder's contract: config.json first, complete.json last, incomplete.json when a run fails.</summary>
public sealed class RunFolderTests : IDisposable
{
    private static readonly string[] Quick = ["--agents", "10", "--days", "1", "--mechanism", "greedy-average", "--seed", "4", "--quiet"];
    private readonly string runs = Directory.CreateTempSubdirectory("v2v-run-folder-").FullName;

    public void Dispose() => Directory.Delete(this.runs, recursive: true);

    [Fact]
    public void Run_MarketFailsAtStepK_ExitsOneWithOneLineAndMarksTheFolderIncomplete()
    {
        const int K = 9;
        var dir = Path.Combine(this.runs, "failed");
        var command = new RunCommand { Clearing = market => ThrowingClearing.For(market, K) };

        var (code, output, error) = Execute(command, [.. Quick, "--out", dir]);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal(
            $"v2v run: the market failed at step {K}: InjectedFailureException: injected at step {K}; the run folder {dir} is marked incomplete\n",
            error.ReplaceLineEndings("\n"));
        using var marker = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "incomplete.json")));
        Assert.Equal("incomplete", marker.RootElement.GetProperty("status").GetString());
        Assert.Equal("failed", marker.RootElement.GetProperty("reason").GetString());
        Assert.Equal(K, marker.RootElement.GetProperty("step").GetInt32());
        Assert.Equal($"the market failed at step {K}: InjectedFailureException: injected at step {K}", marker.RootElement.GetProperty("cause").GetString());
        Assert.Contains("\"agents\": 10", File.ReadAllText(Path.Combine(dir, "config.json")), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "complete.json")));
        Assert.False(File.Exists(Path.Combine(dir, "summary.json")));
        FailureInjection.AssertNotRestarted(LedgerJson.ReadFile(Path.Combine(dir, "ledger.jsonl")).ToList(), closedSteps: K);
    }

    [Fact]
    public void Run_Succeeds_WritesCompleteJsonLastWithTheLedgerSize()
    {
        var dir = Path.Combine(this.runs, "ok");

        var (code, _, error) = Execute(new RunCommand(), [.. Quick, "--out", dir]);

        Assert.True(code == 0, error);
        var ledger = Path.Combine(dir, "ledger.jsonl");
        using var marker = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "complete.json")));
        Assert.Equal("complete", marker.RootElement.GetProperty("status").GetString());
        Assert.Equal(16, marker.RootElement.GetProperty("steps").GetInt32());
        Assert.Equal(new FileInfo(ledger).Length, marker.RootElement.GetProperty("ledgerBytes").GetInt64());
        Assert.Equal(16, File.ReadLines(ledger).Count(l => l.Contains("\"kind\":\"step\"", StringComparison.Ordinal)));
        Assert.False(File.Exists(Path.Combine(dir, "incomplete.json")));

        var completed = File.GetLastWriteTimeUtc(Path.Combine(dir, "complete.json"));
        Assert.All(Directory.GetFiles(dir), f => Assert.True(File.GetLastWriteTimeUtc(f) <= completed, $"{Path.GetFileName(f)} written after complete.json"));
    }

    [Fact]
    public void Run_ResultsCannotBeWritten_ExitsOneAndMarksTheFolderIncompleteAfterEveryStep()
    {
        var dir = Path.Combine(this.runs, "blocked");
        Directory.CreateDirectory(Path.Combine(dir, "steps.csv")); // a folder where the run's steps.csv must go

        var (code, _, error) = Execute(new RunCommand(), [.. Quick, "--out", dir]);

        Assert.Equal(1, code);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("v2v run: writing the results failed after all 16 steps: ", error, StringComparison.Ordinal);
        using var marker = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "incomplete.json")));
        Assert.Equal("failed", marker.RootElement.GetProperty("reason").GetString());
        Assert.Equal(16, marker.RootElement.GetProperty("step").GetInt32());
        Assert.False(File.Exists(Path.Combine(dir, "complete.json")));
    }

    private static (int Code, string Out, string Err) Execute(RunCommand command, string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = command.Execute(Arguments.Parse(command.Name, args, command.Options, command.MaxPositional), output, error);
        return (code, output.ToString(), error.ToString());
    }
}
