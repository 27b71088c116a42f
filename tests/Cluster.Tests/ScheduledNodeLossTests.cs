using Akka.Actor;
using V2V.Coordinator.Ledger;
using V2V.EndToEnd.Tests;
using V2V.Market.Faults;
using V2V.Simulation;
using V2V.Simulation.Cluster;

namespace V2V.Cluster.Tests;

/// <summary>A node loss the scenario schedules at a step boundary: the same ledger every time, in one process and on a cluster.</summary>
public sealed class ScheduledNodeLossTests
{
    private const int LossStep = 8;

    // Every fault on, 20 EVs for a day, and virtual node 1 of 3 lost when step 8 begins.
    private static string[] Scenario(int seed) =>
    [
        .. Sim.AllFaults(seed, agents: 20),
        $"v2v.simulation.faults.node-loss.at-step={LossStep}",
        "v2v.simulation.faults.node-loss.nodes=3",
        "v2v.simulation.faults.node-loss.node=1",
        "v2v.cluster.shards=20",
    ];

    [Fact]
    public void Run_ScheduledNodeLoss_SameLedgerTwice()
    {
        var (first, _) = Sim.Run(Scenario(seed: 7));
        var (second, _) = Sim.Run(Scenario(seed: 7));

        Assert.Equal(first.Select(LedgerJson.Serialize), second.Select(LedgerJson.Serialize));
    }

    [Fact]
    public void Run_ScheduledNodeLoss_LosesExactlyTheEvsParkedOnTheNodeAtItsStep()
    {
        var (ledger, result) = Sim.Run(Scenario(seed: 7));

        // Parked when step 8 begins: arrived before it, not departed before it (dropouts depart in their own step).
        var departedBefore = ledger.OfType<AgentDeparted>().Where(d => d.Step < LossStep).Select(d => d.Agent).ToHashSet();
        var parked = ledger.OfType<AgentArrived>().Where(a => a.Step < LossStep && !departedBefore.Contains(a.Agent)).Select(a => a.Agent).ToList();
        var onNode = parked.Where(a => new NodeLoss(LossStep, 1, 3, 20).Loses(a)).Order(StringComparer.Ordinal).ToList();
        var lost = ledger.OfType<AgentDeparted>().Where(d => d.Reason == "lost with node").ToList();

        Assert.True(result.Trace.Finished);
        Assert.NotEmpty(onNode);
        Assert.True(onNode.Count < parked.Count, "every parked EV was on the lost node");
        Assert.Equal(onNode, lost.Select(d => d.Agent).Order(StringComparer.Ordinal));
        Assert.All(lost, d => Assert.Equal(LossStep, d.Step));
        Assert.All(lost, d => Assert.False(d.Reported));

        // The run went on: the survivors traded after the loss and EVs arriving later were admitted.
        Assert.Contains(ledger.OfType<TradeCommitted>(), t => t.Step > LossStep);
        Assert.Contains(ledger.OfType<AgentArrived>(), a => a.Step > LossStep);
    }

    [Fact]
    public async Task Run_ScheduledNodeLossOnThreeAgentsMembers_SameLedgerBytesAsOneProcessAndTheMemberLeaves()
    {
        var (market, simulation) = Sim.Config(Scenario(seed: 13));
        var alone = new MemoryLedger();
        SimulationRunner.Run(market, simulation, alone, akka: V2V.Simulation.Serialization.ProtocolSerialization.CheckingEveryMessage());

        var seedPort = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{seedPort}";
        using var a = Loopback.Member(seed, seedPort, ClusterRoles.Agents);
        using var b = Loopback.Member(seed, 0, ClusterRoles.Agents);
        using var c = Loopback.Member(seed, 0, ClusterRoles.Agents, ClusterRoles.Learning);
        ActorSystem[] members = [a, b, c];
        ClusterMembers.WaitForRole(a, ClusterRoles.Agents, 3, seed, TimeSpan.FromSeconds(60));
        var ranked = EvSharding.RankedAgents(a);
        var victim = members.Single(m => Akka.Cluster.Cluster.Get(m).SelfAddress == ranked[1]);
        var spread = new MemoryLedger();
        var run = new ClusterRun("scheduled-loss", Loopback.Options(seed, 0, TimeSpan.FromSeconds(30), ClusterRoles.Market), AgentsMembers: 3);
        SimulationRunner.Run(market, simulation, spread, cluster: run);

        Assert.Equal(Loopback.Lines(alone), Loopback.Lines(spread));
        Assert.Contains(spread.Entries.OfType<AgentDeparted>(), d => d.Reason == "lost with node");

        // Virtual node 1 was the agents member of rank 1: it left the cluster (its actor system stopped), the others stayed.
        await victim.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(members.Where(m => m != victim), m => Assert.False(m.WhenTerminated.IsCompleted));
    }
}
