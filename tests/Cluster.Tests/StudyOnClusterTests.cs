using V2V.Host.Cli;
using V2V.Host.Tests;
using V2V.Simulation.Cluster;

namespace V2V.Cluster.Tests;

/// <summary>`v2v study --cluster`: every run of the grid spreads its EVs over the cluster and writes the ledger of one process.</summary>
public sealed class StudyOnClusterTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("v2v-study-cluster-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Study_SmokeGridOnACluster_EveryRunHasTheLedgerOfTheStudyInOneProcess()
    {
        var smoke = Path.Combine(RepositoryRoot.Path, "hocon", "experiments", "smoke.conf");
        var port = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{port}";
        using var agents = Loopback.Member(seed, port, ClusterRoles.Agents);

        string[] common = ["--config", smoke, "--parallel", "2", "--set", "v2v.cluster.shards=20"]; // the loopback members' count

        var alone = Study([.. common, "--out", Path.Combine(dir, "alone")]);
        var spread = Study([.. common, "--out", Path.Combine(dir, "spread"), "--cluster", seed]);

        Assert.True(alone.Code == 0, alone.Err);
        Assert.True(spread.Code == 0, spread.Err);
        var runs = Directory.GetDirectories(Path.Combine(dir, "alone", "runs")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(4, runs.Length); // smoke.conf: 2 methods (one learned) x 2 N x 1 seed
        Assert.True(Loopback.ShardsHosted(agents) > 0, "the cluster's agents member hosted no EV");
        foreach (var run in runs)
        {
            Assert.Equal(
                File.ReadAllBytes(Path.Combine(dir, "alone", "runs", run!, "ledger.jsonl")),
                File.ReadAllBytes(Path.Combine(dir, "spread", "runs", run!, "ledger.jsonl")));
        }
    }

    [Fact]
    public void Study_BadClusterAddress_ExitsTwoWithOneLineAndMakesNoFolder()
    {
        var (code, _, error) = Study("--out", Path.Combine(dir, "never"), "--cluster", "localhost");

        Assert.Equal(2, code);
        Assert.Equal("v2v study: --cluster: expected HOST:PORT with a port 1-65535, got 'localhost'", error.TrimEnd());
        Assert.False(Directory.Exists(Path.Combine(dir, "never")));
    }

    private static (int Code, string Out, string Err) Study(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CommandLine.Run(["study", .. args], output, error);
        return (code, output.ToString(), error.ToString());
    }
}
