using Akka.Actor;
using Akka.Cluster.Sharding;
using V2V.Coordinator.Ledger;
using V2V.EndToEnd.Tests;
using V2V.Simulation;
using V2V.Simulation.Cluster;
using V2V.Simulation.Facilities;
using V2V.Simulation.Serialization;

namespace V2V.Cluster.Tests;

public sealed class FacilitiesOnClusterTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunFacilities_ThreeMembersWithLatencyAndEveryFault_EachFacilitySameLedgerBytesAsOneProcess(bool evsWithFacility)
    {
        var (market, simulation) = Sim.Config(Sim.AllFaults(seed: 23, agents: 10));
        var facilities = FacilityPlan.For(market, 4);

        var alone = facilities.Select(_ => new MemoryLedger()).ToList();
        SimulationRunner.RunFacilities(facilities, simulation, alone, akka: ProtocolSerialization.CheckingEveryMessage());

        var seedPort = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{seedPort}";
        using var first = Loopback.Member(seed, seedPort, ClusterRoles.Market, ClusterRoles.Agents);
        using var second = Loopback.Member(seed, 0, ClusterRoles.Market, ClusterRoles.Agents);
        var spread = facilities.Select(_ => new MemoryLedger()).ToList();
        var run = new ClusterRun("facilities-run", Loopback.Options(seed, 0, TimeSpan.FromSeconds(30), ClusterRoles.Market), AgentsMembers: 2)
        {
            EvsWithFacility = evsWithFacility,
        };
        var result = SimulationRunner.RunFacilities(facilities, simulation, spread, cluster: run);

        for (var k = 0; k < facilities.Count; k++)
        {
            Assert.True(alone[k].Entries.Count > 0);
            Assert.Equal(Loopback.Lines(alone[k]), Loopback.Lines(spread[k]));
            Assert.Equal(market.Time.TotalSteps, result.Facilities[k].Trace.StepsClosed);
            Assert.True(result.Facilities[k].Trace.Finished);
        }

        // Four facilities, each alone in its shard, over three market members (fewest shards first): both members got one.
        Assert.All([first, second], m => Assert.True(Hosted(m, FacilitySharding.TypeName) > 0, $"{m} hosts no facility"));
        // Sharded EVs live on both agents members; EVs kept with their facility never enter the EV region.
        Assert.All([first, second], m => Assert.Equal(!evsWithFacility, Hosted(m, EvSharding.TypeName) > 0));

        // The faults really happened in the facilities, and two facilities are two different markets.
        Assert.Contains(spread.SelectMany(l => l.Entries), e => e is FaultInjected { Fault: "silent" });
        Assert.NotEqual(Loopback.Lines(spread[0]), Loopback.Lines(spread[1]));
    }

    private static int Hosted(ActorSystem member, string typeName)
    {
        var region = ClusterSharding.Get(member).ShardRegion(typeName);
        var state = region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        return state.Shards.Count;
    }
}
