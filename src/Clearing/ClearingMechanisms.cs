using V2V.Market.Configuration;
using V2V.Market.Orders;

namespace V2V.Clearing;

/// <summary>
/// The clearing mechanisms by name (SPEC 4), as used on the command line and in <c>clearing.mechanism</c>.
/// </summary>
public static class ClearingMechanisms
{
    public const string NashName = "nash";

    public const string DoubleAuctionName = "double-auction";

    public const string GreedyAverageName = "greedy-average";

    /// <summary>Every name <see cref="Create"/> accepts, in a fixed order: the study's mechanism first.</summary>
    public static IReadOnlyList<string> Names { get; } = [NashName, DoubleAuctionName, GreedyAverageName];

    /// <summary>Builds the mechanism called <paramref name="name"/> (ordinal, case-sensitive).</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static IClearingMechanism Create(string name, ClearingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return name switch
        {
            NashName => new NashBargaining(config),
            DoubleAuctionName => new DoubleAuction(config),
            GreedyAverageName => new GreedyAverage(config),
            _ => throw new ArgumentException(
                $"unknown clearing mechanism '{name}'; valid names: {string.Join(", ", Names)}",
                nameof(name)),
        };
    }
}

/// <summary>
/// What every mechanism does to its raw fills before returning them (the <see cref="ClearingResult"/>
/// contract): merge repeated (buyer, seller) pairs, drop trades below the minimum, sort ordinally.
/// </summary>
internal static class TradeList
{
    /// <summary>
    /// Merges fills of the same pair (quantity-weighted price, so the payment is preserved), then drops any
    /// trade below <paramref name="minTradeKwh"/> or not positive, and sorts by (buyer id, seller id) ordinal.
    /// </summary>
    public static IReadOnlyList<Trade> Finish(List<Trade> fills, double minTradeKwh)
    {
        if (fills.Count == 0)
        {
            return [];
        }

        fills.Sort(static (x, y) =>
        {
            var c = string.CompareOrdinal(x.BuyerId, y.BuyerId);
            return c != 0 ? c : string.CompareOrdinal(x.SellerId, y.SellerId);
        });

        var result = new List<Trade>(fills.Count);
        var i = 0;
        while (i < fills.Count)
        {
            var first = fills[i];
            var energy = first.EnergyKwh;
            var payment = first.PaymentAud;
            var samePrice = true;
            var j = i + 1;
            while (j < fills.Count
                   && string.Equals(fills[j].BuyerId, first.BuyerId, StringComparison.Ordinal)
                   && string.Equals(fills[j].SellerId, first.SellerId, StringComparison.Ordinal))
            {
                energy += fills[j].EnergyKwh;
                payment += fills[j].PaymentAud;
                samePrice &= fills[j].PriceAudPerKwh == first.PriceAudPerKwh;
                j++;
            }

            if (energy > 0 && energy >= minTradeKwh)
            {
                // Fills at one price keep it bit for bit (so it stays inside [ask, bid]); otherwise the
                // quantity-weighted price keeps the total payment.
                var price = samePrice ? first.PriceAudPerKwh : payment / energy;
                result.Add(first with { PriceAudPerKwh = price, EnergyKwh = energy });
            }

            i = j;
        }

        return result;
    }
}
