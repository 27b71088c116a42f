using Akka.Configuration;
using V2V.Coordinator.Ledger;
using V2V.Simulation;
using V2V.Simulation.Facilities;

namespace V2V.EndToEnd.Tests;

/// <summary>
/// Several facilities in one actor system: each is exactly the one-facility run of its own market (its seed), whatever
/// the other facilities and the thread pool do, and a failure in one stops the run naming that facility.
/// </summary>
public sealed class FacilitiesTests
{
    // Several threads, one message per actor turn: the facilities' actors interleave differently in every run.
    private static readonly Config MultiThreaded = ConfigurationFactory.ParseString("""
        akka.actor.default-dispatcher {
          executor = fork-join-executor
          throughput = 1
          fork-join-executor { parallelism-min = 4, parallelism-factor = 2.0, parallelism-max = 4 }
        }
        """).WithFallback(V2V.Simulation.Serialization.ProtocolSerialization.CheckingEveryMessage());

    [Fact]
    public void RunFacilities_ThreeFacilitiesWithEveryFault_EachLedgerIsTheOneFacilityRunOfItsSeed()
    {
        var (market, simulation) = Sim.Config(Sim.AllFaults(seed: 11, agents: 10));
        var facilities = FacilityPlan.For(market, 3);

        var ledgers = Run(facilities, simulation);

        for (var k = 0; k < 3; k++)
        {
            var alone = new MemoryLedger();
            SimulationRunner.Run(facilities[k].Market, simulation, alone, akka: MultiThreaded);
            Assert.Equal(Lines(alone), ledgers[k]);
        }

        // f000 is the plain run of the run seed; the others are other markets.
        Assert.Equal(11, facilities[0].Market.Seed);
        Assert.Equal(3, ledgers.Select(l => string.Join("\n", l)).Distinct().Count());
    }

    [Fact]
    public void RunFacilities_TwiceOnAMultiThreadedDispatcher_ByteIdenticalLedgersBothTimes()
    {
        var (market, simulation) = Sim.Config(Sim.AllFaults(seed: 4, agents: 12));
        var facilities = FacilityPlan.For(market, 4);

        var first = Run(facilities, simulation);
        var second = Run(facilities, simulation);

        Assert.Equal(first, second);
        Assert.All(first, l => Assert.Contains(l, line => line.StartsWith("{\"kind\":\"trade\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void RunFacilities_ResultAndTiming_OneResultPerFacilityAndOneWallTimePerStep()
    {
        var (market, simulation) = Sim.Config("v2v.population.agents=6", "v2v.time.days=1", "v2v.clearing.mechanism=greedy-average");
        var facilities = FacilityPlan.For(market, 2);
        var progress = new List<(int Done, int Total)>();

        var result = SimulationRunner.RunFacilities(facilities, simulation, [new MemoryLedger(), new MemoryLedger()], (d, t) => progress.Add((d, t)), akka: MultiThreaded);

        Assert.Equal(2, result.Facilities.Count);
        Assert.All(result.Facilities, r => Assert.Equal(16, r.Trace.StepsClosed));
        Assert.Equal([16, 16], result.StepWallMs.Select(f => f.Count));
        Assert.All(result.StepWallMs.SelectMany(f => f), ms => Assert.True(ms >= 0));
        Assert.Equal((32, 32), progress[^1]);
    }

    [Fact]
    public void RunFacilities_OneFacilityFailsAtStepK_FailsNamingThatFacilityAndItsStep()
    {
        const int K = 3;
        var (market, simulation) = Sim.Config("v2v.population.agents=8", "v2v.time.days=1", "v2v.clearing.mechanism=greedy-average");
        var facilities = FacilityPlan.For(market, 3);
        var ledgers = facilities.Select(_ => new MemoryLedger()).ToList();

        var failure = Assert.Throws<SimulationFailedException>(() => SimulationRunner.RunFacilities(
            facilities, simulation, ledgers, clearing: f => f.Id == "f001" ? new FailingAt(market, K) : null, akka: MultiThreaded));

        Assert.Equal("facility f001", failure.Failed);
        Assert.Equal(K, failure.Step);
        Assert.StartsWith($"facility f001 failed at step {K}: InvalidOperationException: injected at step {K}", failure.Message, StringComparison.Ordinal);
        Assert.Equal(3, failure.FacilitySteps.Count);
        Assert.Equal(K, failure.FacilitySteps[1]);
        Assert.Equal(K, ledgers[1].Entries.OfType<StepClosed>().Count());
    }

    [Fact]
    public void RunFacilities_StopAskedBeforeStepZero_EveryFacilityClosesStepZeroAndStopsThere()
    {
        var (market, simulation) = Sim.Config("v2v.population.agents=6", "v2v.time.days=1", "v2v.clearing.mechanism=greedy-average");
        var facilities = FacilityPlan.For(market, 3);
        var ledgers = facilities.Select(_ => new MemoryLedger()).ToList();
        using var stop = new CancellationTokenSource();
        stop.Cancel();

        var stopped = Assert.Throws<SimulationInterruptedException>(
            () => SimulationRunner.RunFacilities(facilities, simulation, ledgers, cancellation: stop.Token, akka: MultiThreaded));

        // Each facility finishes its own open step, then stops before the next opens.
        Assert.Equal(1, stopped.Step);
        Assert.Equal([1, 1, 1], stopped.FacilitySteps);
        Assert.All(ledgers, l => Assert.Equal(0, Assert.IsType<StepClosed>(l.Entries[^1]).Step));
    }

    private static List<List<string>> Run(IReadOnlyList<Facility> facilities, V2V.Market.Configuration.SimulationConfig simulation)
    {
        var ledgers = facilities.Select(_ => new MemoryLedger()).ToList();
        SimulationRunner.RunFacilities(facilities, simulation, ledgers, akka: MultiThreaded);
        return [.. ledgers.Select(Lines)];
    }

    private static List<string> Lines(MemoryLedger ledger) => [.. ledger.Entries.Select(LedgerJson.Serialize)];

    // The configured mechanism, except that the book of step failAt throws.
    private sealed class FailingAt(V2V.Market.Configuration.MarketConfig market, int failAt) : V2V.Clearing.IClearingMechanism
    {
        private readonly V2V.Clearing.IClearingMechanism inner = V2V.Clearing.ClearingMechanisms.Create(market.Clearing.Mechanism, market.Clearing);
        private int calls;

        public string Name => inner.Name;

        public V2V.Clearing.ClearingResult Clear(V2V.Market.Orders.OrderBook book) =>
            calls++ == failAt ? throw new InvalidOperationException($"injected at step {failAt}") : inner.Clear(book);
    }
}
