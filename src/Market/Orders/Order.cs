namespace V2V.Market.Orders;

/// <summary>Which side of the market an order is on (SPEC 2: role).</summary>
public enum Side
{
    Buyer,
    Seller,
}

/// <summary>
/// A bid (buyer) or an ask (seller): a price and the most energy the agent will trade this step (SPEC 3).
/// </summary>
public sealed record Order(string AgentId, double PriceAudPerKwh, double EnergyKwh);
