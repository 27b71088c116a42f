using Akka.Configuration;
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

    [Theory]
    [InlineData("fork-join-executor")]
    [InlineData("thread-pool-executor")]
    public void Simulation_EveryFaultOnAMultiThreadedDispatcher_ByteIdenticalLedgerEveryTime(string executor)
    {
        // Several threads, one message per actor turn: actors interleave differently in every run.
        var akka = ConfigurationFactory.ParseString($$"""
            akka.actor.default-dispatcher {
              executor = {{executor}}
              throughput = 1
              fork-join-executor { parallelism-min = 4, parallelism-factor = 2.0, parallelism-max = 4 }
            }
            """);
        var sets = Sim.AllFaults(seed: 5, agents: 30);
        var first = Sim.Run(akka, sets).Ledger.Select(LedgerJson.Serialize).ToList();
        for (int run = 1; run < 5; run++)
        {
            Assert.Equal(first, Sim.Run(akka, sets).Ledger.Select(LedgerJson.Serialize).ToList());
        }

        var faults = first.Select((l, i) => LedgerJson.Deserialize(l, i + 1)).OfType<FaultInjected>().Select(f => f.Fault.Split('-')[0]).ToHashSet();
        Assert.Superset(new HashSet<string> { "crash", "dropout" }, faults);
    }
}
