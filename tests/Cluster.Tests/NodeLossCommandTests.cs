using V2V.Host.Cli;

namespace V2V.Cluster.Tests;

/// <summary>`v2v run` with a scheduled node loss: the folder verifies, and bad node-loss keys are refused with one line.</summary>
public sealed class NodeLossCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("v2v-node-loss-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void RunThenVerify_ScheduledNodeLoss_VerifiesWithTheLostEvsInTheLedger()
    {
        var folder = Path.Combine(dir, "run");
        var (runCode, _, runError) = V2v(
            "run", "--agents", "16", "--days", "1", "--seed", "4", "--quiet", "--out", folder,
            "--set", "v2v.simulation.faults.node-loss.at-step=6", "--set", "v2v.simulation.faults.node-loss.nodes=4",
            "--set", "v2v.simulation.faults.node-loss.node=2");
        var (verifyCode, verifyOut, verifyError) = V2v("verify", folder);

        Assert.True(runCode == 0, runError);
        Assert.True(verifyCode == 0, verifyOut + verifyError);
        Assert.Contains("\"reason\":\"lost with node\"", File.ReadAllText(Path.Combine(folder, "ledger.jsonl")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("at-step=0", "v2v.simulation.faults.node-loss.at-step: expected -1 (no node loss) or a step in [1, 15] (the run has 16 steps), got 0")]
    [InlineData("at-step=16", "v2v.simulation.faults.node-loss.at-step: expected -1 (no node loss) or a step in [1, 15] (the run has 16 steps), got 16")]
    [InlineData("nodes=1", "v2v.simulation.faults.node-loss.nodes: expected a whole number in [2, v2v.cluster.shards = 100], got 1")]
    [InlineData("nodes=101", "v2v.simulation.faults.node-loss.nodes: expected a whole number in [2, v2v.cluster.shards = 100], got 101")]
    [InlineData("node=3", "v2v.simulation.faults.node-loss.node: expected a virtual node in [0, 2] (nodes = 3), got 3")]
    [InlineData("node=-1", "v2v.simulation.faults.node-loss.node: expected a virtual node in [0, 2] (nodes = 3), got -1")]
    [InlineData("nodes=two", "v2v.simulation.faults.node-loss.nodes")]
    public void Run_BadNodeLossKey_ExitsTwoWithOneLineNamingTheKey(string set, string expected)
    {
        var folder = Path.Combine(dir, "never");

        var (code, _, error) = V2v(
            "run", "--agents", "5", "--days", "1", "--quiet", "--out", folder,
            "--set", "v2v.simulation.faults.node-loss.at-step=4", "--set", "v2v.simulation.faults.node-loss." + set);

        Assert.Equal(2, code);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
    }

    private static (int Code, string Out, string Err) V2v(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CommandLine.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
