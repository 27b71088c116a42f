using V2V.Coordinator.Ledger;

namespace V2V.EndToEnd.Tests;

public sealed class DeterminismTests
{
    [Fact]
    public void Simulation_SameSeedWithLatencyAndEveryFault_GivesByteIdenticalLedger()
    {
        var sets = Sim.AllFaults(seed: 7, agents: 20, days: 2);
        var first = Sim.Run(sets).Ledger.Select(LedgerJson.Serialize).ToList();
        var second = Sim.Run(sets).Ledger.Select(LedgerJson.Serialize).ToList();

        Assert.Equal(first, second);

        // The faults really happened, or the equality would prove little.
        var ledger = first.Select((l, i) => LedgerJson.Deserialize(l, i + 1)).ToList();
        var faults = ledger.OfType<FaultInjected>().Select(f => f.Fault.Split('-')[0]).ToHashSet();
        Assert.Superset(new HashSet<string> { "crash", "dropout", "silent" }, faults);
        Assert.Contains(ledger, e => e is TradeVoided);
        Assert.Contains(ledger, e => e is OrderRejected { Reason: "late" });
    }

    [Fact]
    public void Simulation_DifferentSeeds_GiveDifferentLedgers()
    {
        var a = Sim.Run(Sim.AllFaults(seed: 1)).Ledger.Select(LedgerJson.Serialize);
        var b = Sim.Run(Sim.AllFaults(seed: 2)).Ledger.Select(LedgerJson.Serialize);

        Assert.NotEqual(a, b);
    }
}
