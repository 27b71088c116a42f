using V2V.Host.Tests.Configuration;
using V2V.Host.Tests.Verify;

namespace V2V.Host.Tests.Simulation;

public sealed class RunCommandTests
{
    private static readonly string[] Quick = ["--agents", "10", "--days", "1", "--mechanism", "greedy-average", "--quiet"];

    [Fact]
    public void Run_SmallRun_WritesEveryFileAndVerifies()
    {
        using var temp = new TempFolder();
        var dir = Path.Combine(temp.Path, "run");

        var (code, output, _) = V2vCli.Run(["run", .. Quick, "--seed", "3", "--out", dir]);

        Assert.Equal(0, code);
        Assert.Contains($"run folder: {dir}", output, StringComparison.Ordinal);
        Assert.Contains("social welfare", output, StringComparison.Ordinal);
        foreach (var f in new[] { "ledger.jsonl", "steps.csv", "agents.csv", "summary.json", "config.json" })
        {
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        }

        // Header, 16 steps, and step 16 where everyone still parked is sent home.
        Assert.Equal(18, File.ReadAllLines(Path.Combine(dir, "steps.csv")).Length);
        Assert.Contains("\"agents\": 10", File.ReadAllText(Path.Combine(dir, "config.json")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir, "complete.json")), "the run wrote no complete.json");
        Assert.Equal(0, V2vCli.Run("verify", dir).Code);
    }

    [Fact]
    public void Verify_LedgerWithACommitRemoved_ExitsOneAndNamesTheTrade()
    {
        using var temp = new TempFolder();
        var dir = Path.Combine(temp.Path, "run");
        Assert.Equal(0, V2vCli.Run(["run", .. Quick, "--set", "v2v.seed=1", "--out", dir]).Code);
        var ledger = Path.Combine(dir, "ledger.jsonl");
        var lines = File.ReadAllLines(ledger).ToList();
        lines.RemoveAt(lines.FindIndex(l => l.Contains("\"kind\":\"commit\"", StringComparison.Ordinal)));
        File.WriteAllLines(ledger, lines);

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Contains("neither committed nor voided", output, StringComparison.Ordinal);
        Assert.Contains("summary.json: tradesCommitted", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--agents", "0", "--agents")]
    [InlineData("--days", "x", "--days")]
    [InlineData("--mechanism", "vickrey", "--mechanism")]
    [InlineData("--policy", "learned", "--model")]
    [InlineData("--bogus", "1", "--bogus")]
    [InlineData("--set", "v2v.simulation.faults.crash=2", "v2v.simulation.faults.crash")]
    public void Run_BadOption_ExitsTwoNamingIt(string option, string value, string named)
    {
        var (code, _, error) = V2vCli.Run("run", option, value, "--quiet");

        Assert.Equal(2, code);
        Assert.Contains(named, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_OutFolderHoldingARun_ExitsTwo()
    {
        using var temp = new TempFolder();
        temp.Write("run/ledger.jsonl", "");

        var (code, _, error) = V2vCli.Run(["run", .. Quick, "--out", Path.Combine(temp.Path, "run")]);

        Assert.Equal(2, code);
        Assert.Contains("already holds a run", error, StringComparison.Ordinal);
    }
}
