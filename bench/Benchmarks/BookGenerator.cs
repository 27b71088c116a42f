using V2V.Market.Orders;

namespace V2V.Benchmarks;

/// <summary>
/// Seeded random order books for the clearing benchmarks: half buyers, half sellers, bids U(0.20, 0.28) and
/// asks U(0.14, 0.20) so most pairs are feasible, quantities U(0.5, 5.5) kWh (SPEC 2-3 ranges).
/// </summary>
public static class BookGenerator
{
    public static OrderBook Random(int participants, int seed, double epsilonAud = 1e-3)
    {
        var rng = new Random(seed);
        var buyers = participants / 2;
        var bids = new List<Order>(buyers);
        var asks = new List<Order>(participants - buyers);
        for (var i = 0; i < buyers; i++)
        {
            bids.Add(new Order($"b{i:D4}", Uniform(rng, 0.20, 0.28), Uniform(rng, 0.5, 5.5)));
        }

        for (var j = 0; j < participants - buyers; j++)
        {
            asks.Add(new Order($"s{j:D4}", Uniform(rng, 0.14, 0.20), Uniform(rng, 0.5, 5.5)));
        }

        return new OrderBook(bids, asks, epsilonAud);
    }

    private static double Uniform(Random rng, double low, double high) => low + (high - low) * rng.NextDouble();
}
