using V2V.Market.Orders;

namespace V2V.Clearing;

/// <summary>
/// Scores any mechanism's trades on the bids (SPEC 4): each participant's utility (a buyer gains (b - p) per kWh,
/// a seller (p - a)) and the Nash bargaining objective, so every mechanism can be compared on the same scale.
/// </summary>
public static class BidUtilities
{
    /// <summary>Utility on the bids per participant, every participant of the book included, buyers first.</summary>
    public static IReadOnlyList<KeyValuePair<string, double>> Of(OrderBook book, IReadOnlyList<Trade> trades)
    {
        var bid = new Dictionary<string, double>(StringComparer.Ordinal);
        var ask = new Dictionary<string, double>(StringComparer.Ordinal);
        var utility = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var o in book.Bids)
        {
            bid[o.AgentId] = o.PriceAudPerKwh;
            utility[o.AgentId] = 0;
        }

        foreach (var o in book.Asks)
        {
            ask[o.AgentId] = o.PriceAudPerKwh;
            utility[o.AgentId] = 0;
        }

        foreach (var t in trades)
        {
            utility[t.BuyerId] += (bid[t.BuyerId] - t.PriceAudPerKwh) * t.EnergyKwh;
            utility[t.SellerId] += (t.PriceAudPerKwh - ask[t.SellerId]) * t.EnergyKwh;
        }

        var result = new List<KeyValuePair<string, double>>(utility.Count);
        foreach (var o in book.Bids)
        {
            result.Add(new(o.AgentId, utility[o.AgentId]));
        }

        foreach (var o in book.Asks)
        {
            result.Add(new(o.AgentId, utility[o.AgentId]));
        }

        return result;
    }

    /// <summary>
    /// SPEC 4: sum over participants that have at least one feasible partner (b >= a) of log(eps + u_k).
    /// </summary>
    public static double NashObjective(OrderBook book, IReadOnlyList<Trade> trades)
    {
        var minAsk = double.PositiveInfinity;
        var maxBid = double.NegativeInfinity;
        foreach (var o in book.Asks)
        {
            minAsk = Math.Min(minAsk, o.PriceAudPerKwh);
        }

        foreach (var o in book.Bids)
        {
            maxBid = Math.Max(maxBid, o.PriceAudPerKwh);
        }

        var utilities = Of(book, trades);
        var objective = 0.0;
        var buyers = book.Bids.Count;
        for (var k = 0; k < utilities.Count; k++)
        {
            var price = k < buyers ? book.Bids[k].PriceAudPerKwh : book.Asks[k - buyers].PriceAudPerKwh;
            var hasPartner = k < buyers ? price >= minAsk : price <= maxBid;
            if (hasPartner)
            {
                objective += Math.Log(book.EpsilonAud + utilities[k].Value);
            }
        }

        return objective;
    }
}
