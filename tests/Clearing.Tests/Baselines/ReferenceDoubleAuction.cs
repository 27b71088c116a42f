using V2V.Market.Orders;

namespace V2V.Clearing.Tests.Baselines;

/// <summary>
/// An independent, deliberately naive double auction (SPEC 4) for small books whose quantities are whole
/// multiples of 0.01 kWh: every order is expanded into 0.01 kWh units, the k-th bid unit meets the k-th ask
/// unit, the crossing is the longest prefix where bid unit price >= ask unit price, and the price is the
/// midpoint of the last crossing pair of units.
/// </summary>
internal static class ReferenceDoubleAuction
{
    private const int UnitsPerKwh = 100;

    public static (double? Price, Dictionary<(string Buyer, string Seller), int> Units) Clear(OrderBook book)
    {
        var bidUnits = Expand(book.Bids, descending: true);
        var askUnits = Expand(book.Asks, descending: false);
        var crossing = 0;
        while (crossing < bidUnits.Count && crossing < askUnits.Count
               && bidUnits[crossing].Price >= askUnits[crossing].Price)
        {
            crossing++;
        }

        var units = new Dictionary<(string, string), int>();
        if (crossing == 0)
        {
            return (null, units);
        }

        var price = (bidUnits[crossing - 1].Price + askUnits[crossing - 1].Price) / 2;
        for (var k = 0; k < crossing; k++)
        {
            var key = (bidUnits[k].Id, askUnits[k].Id);
            units[key] = units.GetValueOrDefault(key) + 1;
        }

        return (price, units);
    }

    public static double ToKwh(int units) => (double)units / UnitsPerKwh;

    private static List<(string Id, double Price)> Expand(IReadOnlyList<Order> orders, bool descending)
    {
        var sorted = orders
            .OrderBy(o => descending ? -o.PriceAudPerKwh : o.PriceAudPerKwh)
            .ThenBy(o => o.AgentId, StringComparer.Ordinal)
            .ToList();
        var units = new List<(string, double)>();
        foreach (var o in sorted)
        {
            var count = (int)Math.Round(o.EnergyKwh * UnitsPerKwh);
            if (Math.Abs(count - o.EnergyKwh * UnitsPerKwh) > 1e-6)
            {
                throw new ArgumentException($"{o.AgentId}: quantity {o.EnergyKwh} is not a multiple of 0.01 kWh");
            }

            for (var u = 0; u < count; u++)
            {
                units.Add((o.AgentId, o.PriceAudPerKwh));
            }
        }

        return units;
    }
}
