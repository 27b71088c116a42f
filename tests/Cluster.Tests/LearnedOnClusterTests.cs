using V2V.Coordinator.Ledger;
using V2V.Learning;
using V2V.Learning.Maddpg;
using V2V.Learning.Networks;
using V2V.Simulation;
using V2V.Simulation.Cluster;
using V2V.Simulation.Serialization;

using V2V.EndToEnd.Tests;

namespace V2V.Cluster.Tests;

/// <summary>A learned policy on a cluster: the model's version reaches every agents member's policy holder before step 0.</summary>
public sealed class LearnedOnClusterTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("v2v-learned-cluster-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Run_LearnedPolicyOnTwoAgentsMembers_SameLedgerBytesAsOneProcess()
    {
        // An actor of the default 12-128-128-2 shape (its version, ~200 kB of JSON, exceeds Akka's default frame), with
        // random weights: which weights does not matter here, only that every member bids with the same ones.
        var model = RandomModel(128, 128);
        var (market, simulation) = Sim.Config([.. Sim.AllFaults(seed: 7, agents: 16), "v2v.policy.kind=learned"]);

        var alone = new MemoryLedger();
        var inOne = SimulationRunner.Run(market, simulation, alone, model: model, akka: ProtocolSerialization.CheckingEveryMessage());

        var seedPort = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{seedPort}";
        using var agentsA = Loopback.Member(seed, seedPort, ClusterRoles.Agents);
        using var agentsB = Loopback.Member(seed, 0, ClusterRoles.Agents);
        var spread = new MemoryLedger();
        var run = new ClusterRun("learned-run", Loopback.Options(seed, 0, TimeSpan.FromSeconds(30), ClusterRoles.Market), AgentsMembers: 2);
        var onCluster = SimulationRunner.Run(market, simulation, spread, model: model, cluster: run);

        Assert.Equal(Loopback.Lines(alone), Loopback.Lines(spread));
        Assert.Equal("learned", spread.Entries.OfType<RunStarted>().Single().Policy);
        Assert.NotEmpty(spread.Entries.OfType<OrderAccepted>());
        Assert.Equal(PolicyModel.PublishedVersion, inOne.PolicyVersion);
        Assert.Equal(PolicyModel.PublishedVersion, onCluster.PolicyVersion);
    }

    [Fact]
    public void Run_ModelLargerThanANetworkFrame_RefusedBeforeStepZeroNamingTheModelAndTheSetting()
    {
        // 12-1024-1024-2: about a million parameters, ~10 MB of JSON, more than the cluster's 4 MiB frames.
        var model = RandomModel(1024, 1024);
        var (market, simulation) = Sim.Config([.. Sim.AllFaults(seed: 7, agents: 4), "v2v.policy.kind=learned"]);
        var port = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{port}";
        var run = new ClusterRun("too-large", Loopback.Options(seed, port, TimeSpan.FromSeconds(30), ClusterRoles.Market, ClusterRoles.Agents), AgentsMembers: 1);
        var ledger = new MemoryLedger();

        var e = Assert.Throws<ClusterUnavailableException>(() => SimulationRunner.Run(market, simulation, ledger, model: model, cluster: run));

        Assert.StartsWith($"the model {model.File} (12-1024-1024-2 actor) is ", e.Message);
        Assert.EndsWith("kB on the wire; a cluster message may hold 4096 kB (akka.remote.dot-netty.tcp.maximum-frame-size): a model this large runs in one process only", e.Message);
        Assert.Empty(ledger.Entries);
    }

    /// <summary>A model file in <paramref name="folder"/> whose actor (12-h1-h2-2) has seeded random weights.</summary>
    internal static string RandomModelFile(string folder, int hidden1, int hidden2)
    {
        var file = Path.Combine(folder, $"model-{hidden1}-{hidden2}.v2vnn");
        using var actor = TorchMlp.Create([12, hidden1, hidden2, 2], OutputActivation.Tanh, new Random(3), TorchSharp.torch.CPU);
        ModelFile.Save(file, [(MaddpgLearner.ActorName, actor)], [], training: null);
        return file;
    }

    private PolicyModel RandomModel(int hidden1, int hidden2) => PolicyModel.Load(RandomModelFile(dir, hidden1, hidden2));
}
