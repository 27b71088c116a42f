using V2V.Coordinator.Ledger;
using V2V.EndToEnd.Tests;
using V2V.Learning;
using V2V.Simulation;
using V2V.Simulation.Cluster;
using V2V.Simulation.Facilities;
using V2V.Simulation.Serialization;

namespace V2V.Cluster.Tests;

/// <summary>
/// A learned policy in a run of several facilities on a cluster: one policy of the run per member, its version applied
/// before step 0, and every facility's ledger that of the run in one process.
/// </summary>
public sealed class LearnedFacilitiesOnClusterTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("v2v-learned-facilities-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunFacilities_LearnedPolicyThreeFacilitiesOnThreeMembers_EachFacilitySameLedgerBytesAsOneProcess(bool evsWithFacility)
    {
        var model = PolicyModel.Load(LearnedOnClusterTests.RandomModelFile(dir, 16, 16));
        var (market, simulation) = Sim.Config([.. Sim.AllFaults(seed: 31, agents: 10), "v2v.policy.kind=learned"]);
        var facilities = FacilityPlan.For(market, 3);

        var alone = facilities.Select(_ => new MemoryLedger()).ToList();
        var inOne = SimulationRunner.RunFacilities(facilities, simulation, alone, model: model, akka: ProtocolSerialization.CheckingEveryMessage());

        var seedPort = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{seedPort}";
        using var first = Loopback.Member(seed, seedPort, ClusterRoles.Market, ClusterRoles.Agents);
        using var second = Loopback.Member(seed, 0, ClusterRoles.Market, ClusterRoles.Agents);
        var spread = facilities.Select(_ => new MemoryLedger()).ToList();
        var run = new ClusterRun("learned-facilities", Loopback.Options(seed, 0, TimeSpan.FromSeconds(30), ClusterRoles.Market), AgentsMembers: 2)
        {
            EvsWithFacility = evsWithFacility,
        };
        var onCluster = SimulationRunner.RunFacilities(facilities, simulation, spread, model: model, cluster: run);

        for (var k = 0; k < facilities.Count; k++)
        {
            Assert.Contains(spread[k].Entries, e => e is OrderAccepted);
            Assert.Equal(Loopback.Lines(alone[k]), Loopback.Lines(spread[k]));
            Assert.Equal("learned", spread[k].Entries.OfType<RunStarted>().Single().Policy);
            Assert.True(onCluster.Facilities[k].Trace.Finished);
            Assert.Equal(PolicyModel.PublishedVersion, inOne.Facilities[k].PolicyVersion);
            Assert.Equal(PolicyModel.PublishedVersion, onCluster.Facilities[k].PolicyVersion);
        }

        Assert.NotEqual(Loopback.Lines(spread[0]), Loopback.Lines(spread[1]));
    }

    [Fact]
    public void RunFacilities_ModelLargerThanANetworkFrame_RefusedBeforeStepZeroWithTheOneFacilityMessage()
    {
        var model = PolicyModel.Load(LearnedOnClusterTests.RandomModelFile(dir, 1024, 1024));
        var (market, simulation) = Sim.Config([.. Sim.AllFaults(seed: 7, agents: 4), "v2v.policy.kind=learned"]);
        var facilities = FacilityPlan.For(market, 3);
        var ledgers = facilities.Select(_ => new MemoryLedger()).ToList();

        var several = Assert.Throws<ClusterUnavailableException>(
            () => SimulationRunner.RunFacilities(facilities, simulation, ledgers, model: model, cluster: OwnCluster("too-large-3")));
        var one = Assert.Throws<ClusterUnavailableException>(
            () => SimulationRunner.Run(market, simulation, new MemoryLedger(), model: model, cluster: OwnCluster("too-large-1")));

        Assert.Equal(one.Message, several.Message);
        Assert.StartsWith($"the model {model.File} (12-1024-1024-2 actor) is ", several.Message);
        Assert.DoesNotContain('\n', several.Message);
        Assert.All(ledgers, l => Assert.Empty(l.Entries));
    }

    [Fact]
    public void Run_CorruptModelWithThreeFacilitiesOnNodes_ExitsTwoWithTheOneFacilityLineAndWritesNoFolder()
    {
        var file = LearnedOnClusterTests.RandomModelFile(dir, 16, 16);
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x5a;
        File.WriteAllBytes(file, bytes);
        string[] learned = ["--agents", "4", "--days", "1", "--quiet", "--policy", "learned", "--model", file];

        var several = CommandTests.V2v(["run", .. learned, "--facilities", "3", "--nodes", "3", "--out", Path.Combine(dir, "several")]);
        var one = CommandTests.V2v(["run", .. learned, "--out", Path.Combine(dir, "one")]);

        Assert.Equal(2, several.Code);
        Assert.Equal(one.Err, several.Err);
        Assert.Equal($"v2v run: --model: model file '{file}': checksum mismatch: the file is corrupt", several.Err.TrimEnd());
        Assert.False(Directory.Exists(Path.Combine(dir, "several")), "no run folder may be written");
    }

    // A run that is its own seed member with every role it needs.
    private static ClusterRun OwnCluster(string name)
    {
        var port = Loopback.FreePort();
        return new ClusterRun(name, Loopback.Options($"{Loopback.Host}:{port}", port, TimeSpan.FromSeconds(30), ClusterRoles.Market, ClusterRoles.Agents), AgentsMembers: 1);
    }
}
