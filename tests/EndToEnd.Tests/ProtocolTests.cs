using V2V.Coordinator.Ledger;

namespace V2V.EndToEnd.Tests;

/// <summary>The asynchronous protocol's guarantees, seen through the ledger of whole runs.</summary>
public sealed class ProtocolTests
{
    private static readonly string[] Small = ["v2v.seed=4", "v2v.population.agents=20", "v2v.time.days=1", "v2v.clearing.mechanism=greedy-average"];

    [Fact]
    public void Simulation_OrdersSlowerThanTheBidWindow_AreRejectedLateAndNothingTrades()
    {
        // Constant 11 min one way against a 10 min bid window: every order misses its deadline.
        var (ledger, result) = Sim.Run([.. Small, "v2v.simulation.latency.model=constant", "v2v.simulation.latency.constant=11m"]);

        var rejected = ledger.OfType<OrderRejected>().ToList();
        Assert.NotEmpty(rejected);
        Assert.All(rejected, r => Assert.Equal("late", r.Reason));
        Assert.All(rejected, r => Assert.Equal(result.Trace.StepOpenedMs[r.Step] + (2 * 11 * 60_000), r.ArrivalMs, 6));
        Assert.DoesNotContain(ledger, e => e is OrderAccepted or TradeCleared);
        Assert.Empty(LedgerVerifier.Verify(ledger));
    }

    [Fact]
    public void Simulation_SlowClassBeyondTheDeadline_OnlySlowAgentsAreLate()
    {
        // 1 min for fast agents, 12 min for the slow half: StepOpened out plus the order back is 2 or 24 min.
        var (ledger, result) = Sim.Run(
        [
            .. Small, "v2v.simulation.latency.model=constant", "v2v.simulation.latency.constant=1m",
            "v2v.simulation.latency.slow-fraction=0.5", "v2v.simulation.latency.slow-factor=12",
        ]);

        var late = ledger.OfType<OrderRejected>().Where(r => r.Reason == "late").ToList();
        var accepted = ledger.OfType<OrderAccepted>().ToList();
        Assert.NotEmpty(late);
        Assert.NotEmpty(accepted);
        Assert.All(late, r => Assert.True(result.IsSlow(r.Agent)));
        Assert.All(accepted, o => Assert.False(result.IsSlow(o.Agent)));
    }

    [Fact]
    public void Simulation_EveryMarketMessageDuplicated_LedgerIdenticalToNoDuplicates()
    {
        // Orders, accepts, commits and acks all arrive twice; receivers deduplicate by step and trade id.
        var plain = Sim.Run(Small).Ledger.Select(LedgerJson.Serialize).ToList();
        var (ledger, result) = Sim.Run([.. Small, "v2v.simulation.faults.message-duplicate=1", "v2v.simulation.faults.message-delay-max=1m"]);

        Assert.True(result.MessagesDuplicated > 0);
        Assert.Equal(plain, ledger.Select(LedgerJson.Serialize));
    }

    [Fact]
    public void Simulation_CrashedEvs_RebuildTheirStateFromTheLedger()
    {
        var (ledger, _) = Sim.Run(
            ["v2v.seed=2", "v2v.population.agents=30", "v2v.time.days=2", "v2v.clearing.mechanism=greedy-average", "v2v.simulation.faults.crash=0.15"]);
        Assert.Empty(LedgerVerifier.Verify(ledger));

        // Crashes that struck after the EV had traded: a fresh instance starts at its arrival SoC and zero cash,
        // so reporting the ledger's balance on departure proves the state came back from the ledger.
        var cleared = ledger.OfType<TradeCleared>().ToDictionary(t => t.Trade);
        var arrivals = ledger.OfType<AgentArrived>().ToDictionary(a => a.Agent);
        var rebuilt = 0;
        foreach (var crash in ledger.OfType<FaultInjected>().Where(f => f.Fault == "crash"))
        {
            var before = ledger.TakeWhile(e => e != crash).OfType<TradeCommitted>()
                .Select(c => cleared[c.Trade]).Where(t => t.Buyer == crash.Agent || t.Seller == crash.Agent).ToList();
            var departure = ledger.OfType<AgentDeparted>().Single(d => d.Agent == crash.Agent);
            if (before.Count > 0 && departure.Reported)
            {
                rebuilt++;
                Assert.NotEqual(arrivals[crash.Agent].Soc, departure.Soc!.Value, 9);
                Assert.NotEqual(0, departure.CashAud!.Value, 9);
            }
        }

        Assert.True(rebuilt > 0, "no crash struck an EV that had already traded");
    }
}
