using V2V.Coordinator.Ledger;
using V2V.Host.Configuration;
using V2V.Market.Configuration;
using V2V.Simulation;
using AkkaConfig = Akka.Configuration.Config;

namespace V2V.EndToEnd.Tests;

/// <summary>Builds configurations from reference.conf plus overrides and runs the actor simulation in memory.</summary>
internal static class Sim
{
    public static (MarketConfig Market, SimulationConfig Simulation) Config(params string[] sets)
    {
        var config = ConfigLoader.Load(null, sets);
        var market = MarketConfigBinder.Bind(config);
        return (market, SimulationConfigBinder.Bind(config, market.Time));
    }

    public static (List<LedgerEntry> Ledger, SimulationResult Result) Run(params string[] sets) => Run(null, sets);

    // Every simulation in the tests makes every message round-trip through its serializer, as a remote hop would.
    private static readonly AkkaConfig SerializeMessages = V2V.Simulation.Serialization.ProtocolSerialization.CheckingEveryMessage();

    /// <summary>Runs with <paramref name="akka"/> over our actor system defaults (a dispatcher, for instance).</summary>
    public static (List<LedgerEntry> Ledger, SimulationResult Result) Run(AkkaConfig? akka, params string[] sets)
    {
        var (market, simulation) = Config(sets);
        var ledger = new MemoryLedger();
        var result = SimulationRunner.Run(market, simulation, ledger, akka: akka is null ? SerializeMessages : akka.WithFallback(SerializeMessages));
        return (ledger.Entries, result);
    }

    /// <summary>A short run with latency and every fault kind on.</summary>
    public static string[] AllFaults(int seed, int agents = 12, int days = 1) =>
    [
        $"v2v.seed={seed}",
        $"v2v.population.agents={agents}",
        $"v2v.time.days={days}",
        "v2v.clearing.mechanism=greedy-average",
        "v2v.simulation.latency.model=lognormal",
        "v2v.simulation.latency.lognormal-median=2m",
        "v2v.simulation.latency.slow-fraction=0.3",
        "v2v.simulation.latency.slow-factor=4",
        "v2v.simulation.faults.crash=0.05",
        "v2v.simulation.faults.dropout=0.03",
        "v2v.simulation.faults.silent=0.05",
        "v2v.simulation.faults.message-drop=0.05",
        "v2v.simulation.faults.message-duplicate=0.05",
        "v2v.simulation.faults.message-delay=0.05",
    ];
}
