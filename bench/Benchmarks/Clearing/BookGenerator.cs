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

    /// <summary>
    /// Two buyers per seller (issue 22's shape of a facility's step-0 book), prices as <see cref="MostPairsFeasible"/>
    /// (90 % of the pairs feasible), quantities U(0.5, 5.5) kWh; ids b00000.., s00000.. (five digits, for books of 10,000).
    /// </summary>
    public static OrderBook TwoBuyersPerSeller(int participants, int seed, double epsilonAud = 1e-3) =>
        Random(participants, seed, epsilonAud, 0.18, 0.22, participants * 2 / 3, "D5");

    /// <summary>
    /// Books shaped like a simulation step's (measured in a 30-day N = 100 run with truthful bids): 40 % of the
    /// buyers bid exactly p_grid = 0.28 (urgent), the rest U(0.188, 0.28); 30 % of the sellers ask exactly 0.19 (no
    /// surplus discount), the rest U(0.142, 0.19); quantities mostly the 5.5 kWh cap, a quarter U(0.5, 5.5), and one
    /// order in ten far below the 1e-6 kWh minimum trade (1e-14 to 1e-7 kWh, a battery within rounding of its target).
    /// The identical prices make the optimal quantities far from unique, the hard case for a clean solution.
    /// </summary>
    public static OrderBook SimulationLike(int participants, int seed, double epsilonAud = 1e-3)
    {
        var rng = new Random(seed);
        var buyers = participants * 2 / 3;
        var bids = new List<Order>(buyers);
        var asks = new List<Order>(participants - buyers);
        for (var i = 0; i < buyers; i++)
        {
            var price = rng.NextDouble() < 0.4 ? 0.28 : Uniform(rng, 0.188, 0.28);
            bids.Add(new Order($"b{i:D4}", price, SimulationQuantity(rng)));
        }

        for (var j = 0; j < participants - buyers; j++)
        {
            var price = rng.NextDouble() < 0.3 ? 0.19 : Uniform(rng, 0.142, 0.19);
            asks.Add(new Order($"s{j:D4}", price, SimulationQuantity(rng)));
        }

        return new OrderBook(bids, asks, epsilonAud);
    }

    private static double SimulationQuantity(Random rng)
    {
        var draw = rng.NextDouble();
        return draw < 0.1 ? Math.Pow(10, Uniform(rng, -14, -7)) : draw < 0.35 ? Uniform(rng, 0.5, 5.5) : 5.5;
    }

    private static OrderBook Random(
        int participants, int seed, double epsilonAud, double bidLow, double askHigh, int? buyerCount = null, string idFormat = "D4")
    {
        var rng = new Random(seed);
        var buyers = buyerCount ?? participants / 2;
        var bids = new List<Order>(buyers);
        var asks = new List<Order>(participants - buyers);
        for (var i = 0; i < buyers; i++)
        {
            bids.Add(new Order("b" + i.ToString(idFormat, System.Globalization.CultureInfo.InvariantCulture), Uniform(rng, bidLow, 0.28), Uniform(rng, 0.5, 5.5)));
        }

        for (var j = 0; j < participants - buyers; j++)
        {
            asks.Add(new Order("s" + j.ToString(idFormat, System.Globalization.CultureInfo.InvariantCulture), Uniform(rng, 0.14, askHigh), Uniform(rng, 0.5, 5.5)));
        }

        return new OrderBook(bids, asks, epsilonAud);
    }

    private static double Uniform(Random rng, double low, double high) => low + (high - low) * rng.NextDouble();
}
