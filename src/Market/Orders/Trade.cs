namespace V2V.Market.Orders;

/// <summary>
/// One cleared bilateral trade: <paramref name="EnergyKwh"/> leaves the seller, the buyer pays
/// <paramref name="PriceAudPerKwh"/> per kWh sent (SPEC 5).
/// </summary>
public readonly record struct Trade(string BuyerId, string SellerId, double PriceAudPerKwh, double EnergyKwh)
{
    public double PaymentAud => PriceAudPerKwh * EnergyKwh;
}

/// <summary>A cleared trade as settlement knows it: its step, its ledger id and its terms.</summary>
public sealed record Fill(int Step, long TradeId, string BuyerId, string SellerId, double PriceAudPerKwh, double EnergyKwh);
