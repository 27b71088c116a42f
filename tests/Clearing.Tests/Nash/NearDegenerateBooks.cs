using FsCheck;
using FsCheck.Fluent;
using V2V.Market.Orders;

namespace V2V.Clearing.Tests.Nash;

/// <summary>A generated near-degenerate book, printed with round-trip numbers so a failure can be replayed.</summary>
public sealed record NearDegenerateBook(string Family, Order[] Bids, Order[] Asks, double EpsilonAud)
{
    public OrderBook ToBook() => new(Bids, Asks, EpsilonAud);

    public override string ToString() =>
        FormattableString.Invariant($"{Family} eps {EpsilonAud:R}: bids [{string.Join(", ", Bids.Select(Show))}] asks [{string.Join(", ", Asks.Select(Show))}]");

    private static string Show(Order o) => FormattableString.Invariant($"{o.AgentId}:{o.PriceAudPerKwh:R}@{o.EnergyKwh:R}");
}

/// <summary>
/// FsCheck generators of the books that broke or strained the Nash solver (issue 17), each family aiming at one way a
/// book can be nearly degenerate. Values stay inside ClearingLimits.
/// </summary>
public static class NearDegenerateBooks
{
    private const double Hair = 5.5;

    /// <summary>
    /// Issue 17's family: 1-2 buyers, 1-3 sellers, prices within 1e-5..1e-2 of each other, capacities 5.5 kWh or a
    /// hair under it (1e-8..1e-5 kWh, so the residues straddle the 1e-6 kWh minimum trade).
    /// </summary>
    public static Arbitrary<NearDegenerateBook> Residues()
    {
        var capacity = Gen.Frequency((1, Gen.Constant(Hair)), (2, LogUniform(-8, -5).Select(h => Hair - h)));
        var gen =
            from buyers in Gen.Choose(1, 2)
            from sellers in Gen.Choose(1, 3)
            from basePrice in Uniform(0.1, 0.3)
            from spread in LogUniform(-5, -2)
            from bids in Orders("b", buyers, Uniform(0, 1).Select(x => basePrice + (spread * x)), capacity)
            from asks in Orders("s", sellers, Uniform(0, 1).Select(x => basePrice + (spread * x)), capacity)
            select new NearDegenerateBook("residues", bids, asks, 1e-3);
        return gen.ToArbitrary();
    }

    /// <summary>
    /// Ties: 1-6 orders a side, every price p or p plus 0, one ulp, 1e-12 or 1e-9 (so bid == ask, zero and all but
    /// zero gains are common), capacities from {c, c, c less 1e-9 of it} (exactly and nearly equal).
    /// </summary>
    public static Arbitrary<NearDegenerateBook> Ties()
    {
        var gen =
            from buyers in Gen.Choose(1, 6)
            from sellers in Gen.Choose(1, 6)
            from p in Uniform(0.1, 0.3)
            from delta in Gen.Elements(0.0, Math.BitIncrement(p) - p, 1e-12, 1e-9)
            from c in Gen.Elements(1.0, 2.5, 5.5)
            let price = Gen.Elements(p, p + delta, p + delta, p - delta)
            let capacity = Gen.Elements(c, c, c * (1 - 1e-9))
            from bids in Orders("b", buyers, price, capacity)
            from asks in Orders("s", sellers, price, capacity)
            select new NearDegenerateBook("ties", bids, asks, 1e-3);
        return gen.ToArbitrary();
    }

    /// <summary>
    /// Scales: 1-8 orders a side, quantities log-uniform over 1e-9..1e6 kWh mixed in one book, epsilon log-uniform over
    /// 1e-9..1 AUD, prices 0.05..0.30 AUD/kWh with bids above asks more often than not.
    /// </summary>
    public static Arbitrary<NearDegenerateBook> Scales(int lowExponent = -9, int highExponent = 6, int epsilonLowExponent = -9)
    {
        var quantity = LogUniform(lowExponent, highExponent);
        var gen =
            from buyers in Gen.Choose(1, 8)
            from sellers in Gen.Choose(1, 8)
            from eps in LogUniform(epsilonLowExponent, 0)
            from bids in Orders("b", buyers, Uniform(0.12, 0.30), quantity)
            from asks in Orders("s", sellers, Uniform(0.05, 0.20), quantity)
            select new NearDegenerateBook("scales", bids, asks, eps);
        return gen.ToArbitrary();
    }

    /// <summary>
    /// Crowds: 10-40 orders a side drawn from the three families' ingredients at once (a few distinct prices a
    /// near-tie apart, capacities equal or a hair under, now and then one within tenfold of them, eps 1e-9, 1e-3 or 1).
    /// </summary>
    public static Arbitrary<NearDegenerateBook> Crowds()
    {
        var gen =
            from buyers in Gen.Choose(10, 40)
            from sellers in Gen.Choose(10, 40)
            from p in Uniform(0.15, 0.25)
            from spread in LogUniform(-9, -2)
            let price = Gen.Elements(0.0, 0.0, 0.25, 0.5, 1.0).Select(x => p + (spread * x))
            let capacity = Gen.Frequency(
                (6, Gen.Constant(Hair)),
                (3, LogUniform(-9, -5).Select(h => Hair - h)),
                (1, LogUniform(-1, 1)))
            from bids in Orders("b", buyers, price, capacity)
            from asks in Orders("s", sellers, price, capacity)
            from eps in Gen.Elements(1e-9, 1e-3, 1.0)
            select new NearDegenerateBook("crowds", bids, asks, eps);
        return gen.ToArbitrary();
    }

    private static Gen<double> Uniform(double low, double high) =>
        Gen.Choose(0, 1_000_000).Select(i => low + ((high - low) * i / 1_000_000));

    private static Gen<double> LogUniform(int lowExponent, int highExponent) =>
        Uniform(lowExponent, highExponent).Select(e => Math.Pow(10, e));

    private static Gen<Order[]> Orders(string prefix, int count, Gen<double> price, Gen<double> quantity) =>
        price.Zip(quantity).ArrayOf(count).Select(terms => terms.Select((t, k) => new Order($"{prefix}{k}", t.Item1, t.Item2)).ToArray());
}
