using V2V.Market.Orders;

namespace V2V.Benchmarks.Clearing;

/// <summary>
/// Seeded random order books for the clearing benchmarks and the Nash certificate tests (which compile this
/// same file, so both measure the same books): half buyers, half sellers, quantities U(0.5, 5.5) kWh
/// (SPEC 2-3 ranges), ids b0000.., s0000.. in draw order.
/// </summary>
public static class BookGenerator
{
    /// <summary>
    /// Bids U(0.18, 0.28), asks U(0.14, 0.22): 90 % of the pairs are feasible (b &gt;= a), the hard case of
    /// the issue, with a few infeasible pairs so the sparsity pattern is not trivial.
    /// </summary>
    public static OrderBook MostPairsFeasible(int participants, int seed, double epsilonAud = 1e-3) =>
        Random(participants, seed, epsilonAud, bidLow: 0.18, askHigh: 0.22);

    /// <summary>Bids U(0.20, 0.28), asks U(0.14, 0.20): every pair is feasible, the densest problem.</summary>
    public static OrderBook AllPairsFeasible(int participants, int seed, double epsilonAud = 1e-3) =>
        Random(participants, seed, epsilonAud, bidLow: 0.20, askHigh: 0.20);

    private static OrderBook Random(int participants, int seed, double epsilonAud, double bidLow, double askHigh)
    {
        var rng = new Random(seed);
        var buyers = participants / 2;
        var bids = new List<Order>(buyers);
        var asks = new List<Order>(participants - buyers);
        for (var i = 0; i < buyers; i++)
        {
            bids.Add(new Order($"b{i:D4}", Uniform(rng, bidLow, 0.28), Uniform(rng, 0.5, 5.5)));
        }

        for (var j = 0; j < participants - buyers; j++)
        {
            asks.Add(new Order($"s{j:D4}", Uniform(rng, 0.14, askHigh), Uniform(rng, 0.5, 5.5)));
        }

        return new OrderBook(bids, asks, epsilonAud);
    }

    private static double Uniform(Random rng, double low, double high) => low + (high - low) * rng.NextDouble();
}
