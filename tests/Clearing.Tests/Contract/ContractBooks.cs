using V2V.Clearing;
using V2V.Market.Configuration;
using V2V.Market.Orders;

namespace V2V.Clearing.Tests.Contract;

/// <summary>The mechanisms under contract, the configuration they run with, and small book builders.</summary>
public static class ContractBooks
{
    /// <summary>Test values (the SPEC 4 defaults: eps 1e-3 AUD, trades below 1e-6 kWh dropped).</summary>
    public static ClearingConfig Config(string mechanism) => new(
        Mechanism: mechanism,
        EpsilonAud: 1e-3,
        MinTradeKwh: 1e-6,
        SolverRelativeGap: 1e-9,
        SolverMaxIterations: 10_000);

    /// <summary>Every registered mechanism: a new one joins the contract suite by joining the factory.</summary>
    public static TheoryData<string> Mechanisms()
    {
        var data = new TheoryData<string>();
        foreach (var name in ClearingMechanisms.Names)
        {
            data.Add(name);
        }

        return data;
    }

    public static IClearingMechanism Create(string name) => ClearingMechanisms.Create(name, Config(name));

    public static Order Bid(string id, double price, double energyKwh) => new(id, price, energyKwh);

    public static Order Ask(string id, double price, double energyKwh) => new(id, price, energyKwh);

    public static OrderBook Book(IReadOnlyList<Order> bids, IReadOnlyList<Order> asks) => new(bids, asks, 1e-3);

    /// <summary>The same book with both sides in a new order.</summary>
    public static OrderBook Shuffled(OrderBook book, int seed)
    {
        var rng = new Random(seed);
        var bids = book.Bids.ToArray();
        var asks = book.Asks.ToArray();
        rng.Shuffle(bids);
        rng.Shuffle(asks);
        return new OrderBook(bids, asks, book.EpsilonAud);
    }

    /// <summary>
    /// A seeded book shaped like the study's: half buyers, bids U(0.20, 0.28), asks U(0.14, 0.20),
    /// quantities U(0.5, 5.5) kWh, so most pairs are feasible.
    /// </summary>
    public static OrderBook Random(int agents, int seed)
    {
        var rng = new Random(seed);
        var buyers = agents / 2;
        var bids = new Order[buyers];
        var asks = new Order[agents - buyers];
        for (var i = 0; i < bids.Length; i++)
        {
            bids[i] = Bid($"b{i:D4}", 0.20 + 0.08 * rng.NextDouble(), 0.5 + 5.0 * rng.NextDouble());
        }

        for (var j = 0; j < asks.Length; j++)
        {
            asks[j] = Ask($"s{j:D4}", 0.14 + 0.06 * rng.NextDouble(), 0.5 + 5.0 * rng.NextDouble());
        }

        return Book(bids, asks);
    }
}
