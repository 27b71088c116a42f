using V2V.Clearing;
using V2V.Coordinator.Ledger;
using V2V.Coordinator.Session;
using V2V.Market.Configuration;
using V2V.Market.Orders;
using V2V.Market.Protocol;

namespace V2V.Coordinator.Tests.Session;

/// <summary>A market session over the SPEC defaults with greedy clearing and an in-memory ledger.</summary>
internal static class SessionFixture
{
    public static readonly MarketConfig Config = new(
        Seed: 1,
        Time: new TimeConfig(0.5, 16, 1),
        Population: new PopulationConfig(4, 8, 4, 12),
        Vehicle: new VehicleConfig(75, 11, 1.0, 0.2, 0.9, 0.5, 0.8, 0.05),
        Tariff: new TariffConfig(0.28, 0.05, []),
        Values: new ValueConfig(0.6, 0.4, 0.16, 0.3, 0.03),
        Clearing: new ClearingConfig("greedy-average", 1e-3, 1e-6, 1e-9, 200),
        Policy: new PolicyConfig("truthful", 0.2),
        Metrics: new MetricsConfig(4));

    public static (MarketSession Session, MemoryLedger Ledger) Create()
    {
        var ledger = new MemoryLedger();
        var session = new MarketSession(Config, new GreedyAverage(Config.Clearing), ledger);
        return (session, ledger);
    }

    /// <summary>b1 bids 0.25 for 3 kWh, s1 asks 0.15 for 2 kWh: greedy clears 2 kWh at 0.20.</summary>
    public static (MarketSession Session, MemoryLedger Ledger, Fill Fill) OneTradeCleared()
    {
        var (session, ledger) = Create();
        session.Arrive(0, "b1", 0.40, 0.60, 8);
        session.Arrive(0, "s1", 0.90, 0.50, 8);
        session.Open(0, deadlineMs: 100);
        Assert.Null(session.Receive(new SubmitOrder(0, "b1", Side.Buyer, 0.25, 3, 0.26), 10));
        Assert.Null(session.Receive(new SubmitOrder(0, "s1", Side.Seller, 0.15, 2, 0.14), 20));
        var fills = session.Clear();
        return (session, ledger, Assert.Single(fills));
    }
}
