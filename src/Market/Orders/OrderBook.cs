namespace V2V.Market.Orders;

/// <summary>
/// One step's book: the bids of the active buyers and the asks of the active sellers (SPEC 3), and the
/// Nash bargaining epsilon (SPEC 4). Construction validates every order, so a mechanism never sees a NaN,
/// a negative quantity or an id used twice.
/// </summary>
public sealed class OrderBook
{
    public OrderBook(IReadOnlyList<Order> bids, IReadOnlyList<Order> asks, double epsilonAud)
    {
        ArgumentNullException.ThrowIfNull(bids);
        ArgumentNullException.ThrowIfNull(asks);
        if (!double.IsFinite(epsilonAud) || epsilonAud <= 0)
        {
            throw new OrderBookException($"epsilon: must be a finite number > 0, got {epsilonAud}");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        Validate(bids, "buyers", seen);
        Validate(asks, "sellers", seen);
        Bids = bids;
        Asks = asks;
        EpsilonAud = epsilonAud;
    }

    public IReadOnlyList<Order> Bids { get; }

    public IReadOnlyList<Order> Asks { get; }

    public double EpsilonAud { get; }

    private static void Validate(IReadOnlyList<Order> orders, string side, HashSet<string> seen)
    {
        for (var i = 0; i < orders.Count; i++)
        {
            var o = orders[i] ?? throw new OrderBookException($"{side}[{i}]: order is null");
            if (string.IsNullOrWhiteSpace(o.AgentId))
            {
                throw new OrderBookException($"{side}[{i}].id: must be a non-empty string");
            }

            if (!double.IsFinite(o.PriceAudPerKwh) || o.PriceAudPerKwh < 0)
            {
                throw new OrderBookException($"{side}[{i}].price: must be a finite number >= 0, got {o.PriceAudPerKwh}");
            }

            if (!double.IsFinite(o.EnergyKwh) || o.EnergyKwh < 0)
            {
                throw new OrderBookException($"{side}[{i}].quantity: must be a finite number >= 0, got {o.EnergyKwh}");
            }

            if (!seen.Add(o.AgentId))
            {
                throw new OrderBookException($"{side}[{i}].id: duplicate id '{o.AgentId}'");
            }
        }
    }
}

/// <summary>An order book that breaks SPEC 3; the message names the field and the problem.</summary>
public sealed class OrderBookException(string message) : Exception(message);
