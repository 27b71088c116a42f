using Akka.Actor;
using V2V.Coordinator.Ledger;
using V2V.Simulation;
using V2V.Simulation.Cluster;
using V2V.Simulation.Serialization;

using V2V.EndToEnd.Tests;

namespace V2V.Cluster.Tests;

public sealed class ThreeMemberRunTests
{
    [Fact]
    public void Run_ThreeMembersWithLatencyAndEveryFault_SameLedgerBytesAsOneProcess()
    {
        var sets = Sim.AllFaults(seed: 11, agents: 20);
        var (market, simulation) = Sim.Config(sets);

        var alone = new MemoryLedger();
        SimulationRunner.Run(market, simulation, alone, akka: ProtocolSerialization.CheckingEveryMessage());

        var seedPort = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{seedPort}";
        using var agentsA = Loopback.Member(seed, seedPort, ClusterRoles.Agents);
        using var agentsB = Loopback.Member(seed, 0, ClusterRoles.Agents, ClusterRoles.Learning);
        var spread = new MemoryLedger();
        var run = new ClusterRun("test-run", Loopback.Options(seed, 0, TimeSpan.FromSeconds(30), ClusterRoles.Market), AgentsMembers: 2);
        SimulationRunner.Run(market, simulation, spread, cluster: run);

        Assert.Equal(Loopback.Lines(alone), Loopback.Lines(spread));

        // The EVs really lived on both agents members, and the faults really happened.
        Assert.All([agentsA, agentsB], m => Assert.True(Loopback.ShardsHosted(m) > 0, $"{m} hosts no EV shard"));
        var faults = spread.Entries.OfType<FaultInjected>().Select(f => f.Fault.Split('-')[0]).ToHashSet();
        Assert.Superset(new HashSet<string> { "crash", "dropout", "silent" }, faults);
        Assert.Contains(spread.Entries, e => e is TradeVoided);
    }
}
