using V2V.Agents.Policies;
using V2V.Clearing;
using V2V.Coordinator.Ledger;
using V2V.Host.Configuration;
using V2V.Market.Configuration;
using V2V.Market.Orders;
using V2V.Market.Vehicles;
using V2V.Simulation;

namespace V2V.Host.Tests.Run;

/// <summary>Failures injected into a run, and what a ledger must show when a run was stopped and not restarted.</summary>
internal static class FailureInjection
{
    public static (MarketConfig Market, SimulationConfig Simulation) Config(params string[] sets)
    {
        var config = ConfigLoader.Load(null, sets);
        var market = MarketConfigBinder.Bind(config);
        return (market, SimulationConfigBinder.Bind(config, market.Time));
    }

    /// <summary>One header, steps 0..closedSteps-1 closed in order, the step counter never going back, each EV arriving once.</summary>
    public static void AssertNotRestarted(IReadOnlyList<LedgerEntry> ledger, int closedSteps)
    {
        Assert.Single(ledger.OfType<RunStarted>());
        Assert.Equal(Enumerable.Range(0, closedSteps), ledger.OfType<StepClosed>().Select(s => s.Step));
        for (var i = 1; i < ledger.Count; i++)
        {
            Assert.True(ledger[i].Step >= ledger[i - 1].Step, $"ledger line {i + 1} goes back from step {ledger[i - 1].Step} to {ledger[i].Step}");
        }

        Assert.True(ledger[^1].Step <= closedSteps, $"the ledger reaches step {ledger[^1].Step}, past step {closedSteps}");
        var arrivals = ledger.OfType<AgentArrived>().Select(a => a.Agent).ToList();
        Assert.Equal(arrivals.Count, arrivals.Distinct(StringComparer.Ordinal).Count());
    }
}

internal sealed class InjectedFailureException(string message) : Exception(message);

/// <summary>The configured mechanism, except that the book of step <c>failAt</c> throws (the coordinator clears once a step).</summary>
internal sealed class ThrowingClearing(IClearingMechanism inner, int failAt) : IClearingMechanism
{
    public int Calls { get; private set; }

    public string Name => inner.Name;

    public static ThrowingClearing For(MarketConfig market, int failAt) =>
        new(ClearingMechanisms.Create(market.Clearing.Mechanism, market.Clearing), failAt);

    public ClearingResult Clear(OrderBook book)
    {
        var step = Calls++;
        return step == failAt ? throw new InjectedFailureException($"injected at step {step}") : inner.Clear(book);
    }
}

/// <summary>Truthful bids, except that the <c>failAt</c>-th decision of any EV sharing the counter throws.</summary>
internal sealed class ThrowingPolicy(ThrowingPolicy.Counter counter) : IBiddingPolicy
{
    public Quote Decide(in BiddingContext context) =>
        ++counter.Decisions == counter.FailAt
            ? throw new InjectedFailureException($"injected at decision {counter.Decisions}")
            : TruthfulPolicy.Instance.Decide(context);

    internal sealed class Counter(int failAt)
    {
        public int Decisions { get; set; }

        public int FailAt { get; } = failAt;
    }
}
