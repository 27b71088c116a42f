using V2V.Agents.Policies;
using V2V.Coordinator.Ledger;
using V2V.Simulation;

namespace V2V.EndToEnd.Tests;

/// <summary>Issue 3: with zero latency and no faults the actors do not change the science.</summary>
public sealed class ReferenceEquivalenceTests
{
    [Theory]
    [InlineData("greedy-average", "truthful", 30, 3)]
    [InlineData("double-auction", "markup", 30, 3)]
    [InlineData("nash", "truthful", 12, 1)]
    public void Simulation_ZeroLatencyNoFaults_CommitsExactlyTheReferenceLoopTrades(string mechanism, string policy, int agents, int days)
    {
        var sets = new[]
        {
            "v2v.seed=3", $"v2v.population.agents={agents}", $"v2v.time.days={days}",
            $"v2v.clearing.mechanism={mechanism}", $"v2v.policy.kind={policy}",
        };
        var (market, _) = Sim.Config(sets);
        var reference = ReferenceLoop.Run(market, Policies.For(market.Policy));

        var (ledger, _) = Sim.Run(sets);
        var cleared = ledger.OfType<TradeCleared>().ToDictionary(t => t.Trade);
        var actors = ledger.OfType<TradeCommitted>().Select(c => cleared[c.Trade])
            .Select(t => (t.Step, t.Trade, t.Buyer, t.Seller, t.Price, t.Quantity)).ToList();

        Assert.NotEmpty(reference);
        Assert.Equal(reference.Select(f => (f.Step, f.TradeId, f.BuyerId, f.SellerId, f.PriceAudPerKwh, f.EnergyKwh)), actors);
        Assert.DoesNotContain(ledger, e => e is TradeVoided or OrderRejected or FaultInjected);
    }
}
