using Akka.Actor;
using V2V.Host.Cli;
using V2V.Simulation.Cluster;

using V2V.EndToEnd.Tests;

namespace V2V.Cluster.Tests;

/// <summary>`v2v node` and `v2v run --cluster/--nodes` on loopback: they fail clearly and in bounded time, never hang.</summary>
public sealed class CommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("v2v-cluster-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Node_SeedNobodyListensOn_ExitsOneWithOneLineNamingTheSeed()
    {
        var seed = $"{Loopback.Host}:{Loopback.FreePort()}";

        var (code, output, error) = V2v("node", "--seed", seed, "--port", "0", "--set", "v2v.cluster.join-timeout=2s");

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal($"v2v node: could not join the cluster at seed {seed} within 2 s: no member answers there (start the seed member first: v2v node --seed {seed} --port PORT)", error.TrimEnd());
    }

    [Fact]
    public void Run_ClusterWithNoAgentsMember_ExitsOneNamingTheRoleAndMarksTheFolderIncomplete()
    {
        var port = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{port}";
        using var learningOnly = Loopback.Member(seed, port, ClusterRoles.Learning);
        var folder = Path.Combine(dir, "run");

        var (code, _, error) = V2v("run", "--cluster", seed, "--agents", "5", "--days", "1", "--quiet", "--out", folder, "--set", "v2v.cluster.join-timeout=2s");

        Assert.Equal(1, code);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith($"v2v run: the cluster at seed {seed} has 0 member(s) with role agents up after 2 s; the run needs 1", error);
        Assert.True(File.Exists(Path.Combine(folder, "incomplete.json")));
        Assert.False(File.Exists(Path.Combine(folder, "complete.json")));
    }

    [Fact]
    public void Run_MemberWithOtherShardCount_ExitsOneNamingTheSetting()
    {
        var port = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{port}";
        using var member = Loopback.Member(seed, port, ClusterRoles.Agents);

        var (code, _, error) = V2v("run", "--cluster", seed, "--agents", "5", "--days", "1", "--quiet", "--out", Path.Combine(dir, "run"), "--set", "v2v.cluster.shards=7");

        Assert.Equal(1, code);
        Assert.StartsWith($"v2v run: member {seed} spreads EVs over 20 shards, this run over 7: every member needs the same v2v.cluster.shards", error);
    }

    [Theory]
    [InlineData(new[] { "node" }, "v2v node: --seed: required: the HOST:PORT of a seed member")]
    [InlineData(new[] { "node", "--seed", "localhost" }, "v2v node: --seed: expected HOST:PORT with a port 1-65535, got 'localhost'")]
    [InlineData(new[] { "node", "--seed", "h:70000" }, "v2v node: --seed: expected HOST:PORT with a port 1-65535, got 'h:70000'")]
    [InlineData(new[] { "node", "--seed", "h:1", "--roles", "agents,ev" }, "v2v node: --roles: expected a comma-separated list of market, agents, learning, got 'ev'")]
    [InlineData(new[] { "run", "--cluster", "h:1", "--nodes", "2", "--out", "never" }, "v2v run: --nodes: runs over local members it starts; --cluster over running ones: give one of them")]
    [InlineData(new[] { "run", "--nodes", "0", "--out", "never" }, "v2v run: --nodes: expected a whole number in [1, 64], got '0'")]
    public void Commands_BadClusterOption_ExitTwoWithOneLine(string[] args, string expected)
    {
        var (code, _, error) = V2v([.. args.Select(a => a == "never" ? Path.Combine(dir, a) : a)]);

        Assert.Equal(2, code);
        Assert.Equal(expected, error.TrimEnd());
        Assert.False(Directory.Exists(Path.Combine(dir, "never")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Run_NodesTwo_WritesTheLedgerOfTheSameRunInOneProcess(bool learned)
    {
        string[] policy = learned ? ["--policy", "learned", "--model", LearnedOnClusterTests.RandomModelFile(dir, 32, 32)] : [];
        string[] run = ["run", "--agents", "12", "--days", "1", "--seed", "3", "--quiet", .. policy, .. Sim.AllFaults(seed: 3, agents: 12).SelectMany(s => new[] { "--set", s })];
        var (aloneCode, _, aloneError) = V2v([.. run, "--out", Path.Combine(dir, "alone")]);
        var (spreadCode, _, spreadError) = V2v([.. run, "--nodes", "2", "--out", Path.Combine(dir, "spread")]);

        Assert.True(aloneCode == 0, aloneError);
        Assert.True(spreadCode == 0, spreadError);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "alone", "ledger.jsonl")), File.ReadAllBytes(Path.Combine(dir, "spread", "ledger.jsonl")));
        Assert.True(File.Exists(Path.Combine(dir, "spread", "complete.json")));
    }

    internal static (int Code, string Out, string Err) V2v(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CommandLine.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
