using FsCheck;
using FsCheck.Fluent;
using V2V.Market.Orders;

namespace V2V.Clearing.Tests.Contract;

/// <summary>A generated book: its orders, plus a seed for re-ordering them, printed readably on failure.</summary>
public sealed record GeneratedBook(Order[] Bids, Order[] Asks, int ShuffleSeed)
{
    public OrderBook ToBook() => ContractBooks.Book(Bids, Asks);

    public override string ToString() =>
        $"bids [{string.Join(", ", Bids.Select(Show))}] asks [{string.Join(", ", Asks.Select(Show))}] seed {ShuffleSeed}";

    private static string Show(Order o) => FormattableString.Invariant($"{o.AgentId}:{o.PriceAudPerKwh}@{o.EnergyKwh}");
}

/// <summary>
/// FsCheck generators of order books: up to 40 agents, prices in [FiT, p_grid] drawn often from a coarse
/// grid so that equal prices are common, and quantities in [0, 5.5] kWh with zeros common.
/// </summary>
public static class BookGenerators
{
    private static readonly Gen<double> Price = Gen.Frequency(
        (2, Gen.Choose(5, 28).Select(c => c / 100.0)),
        (3, Gen.Choose(500, 2800).Select(c => c / 10_000.0)));

    private static readonly Gen<double> Quantity = Gen.Frequency(
        (1, Gen.Constant(0.0)),
        (1, Gen.Choose(1, 11).Select(h => h / 2.0)),
        (4, Gen.Choose(1, 550).Select(c => c / 100.0)));

    /// <summary>Books with 0-40 agents; sides may be empty.</summary>
    public static Arbitrary<GeneratedBook> Books() => Books(maxPerSide: 20, centiKwh: false);

    /// <summary>
    /// Books whose quantities are whole multiples of 0.01 kWh and of at most <paramref name="maxPerSide"/>
    /// orders a side; used by the unit-by-unit reference of the double auction.
    /// </summary>
    public static Arbitrary<GeneratedBook> CentiKwhBooks(int maxPerSide) => Books(maxPerSide, centiKwh: true);

    private static Arbitrary<GeneratedBook> Books(int maxPerSide, bool centiKwh)
    {
        var quantity = centiKwh
            ? Gen.Frequency((1, Gen.Constant(0.0)), (5, Gen.Choose(1, 300).Select(c => c / 100.0)))
            : Quantity;
        var order = Price.Zip(quantity);
        var gen =
            from buyers in Gen.Choose(0, maxPerSide)
            from sellers in Gen.Choose(0, maxPerSide)
            from bidTerms in order.ArrayOf(buyers)
            from askTerms in order.ArrayOf(sellers)
            from seed in Gen.Choose(0, int.MaxValue - 1)
            select new GeneratedBook(
                ToOrders("b", bidTerms),
                ToOrders("s", askTerms),
                seed);
        return gen.ToArbitrary();
    }

    private static Order[] ToOrders(string prefix, (double Price, double Quantity)[] terms)
    {
        var orders = new Order[terms.Length];
        for (var k = 0; k < terms.Length; k++)
        {
            orders[k] = new Order($"{prefix}{k}", terms[k].Price, terms[k].Quantity);
        }

        return orders;
    }
}
