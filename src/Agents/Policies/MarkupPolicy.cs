using V2V.Market.Orders;
using V2V.Market.Vehicles;

namespace V2V.Agents.Policies;

/// <summary>SPEC 6: shade the true value by a per-agent markup m: b = v(1 - m), a = c(1 + m), full cap.</summary>
public sealed class MarkupPolicy(double markup) : IBiddingPolicy
{
    public double Markup { get; } = markup;

    public Quote Decide(in BiddingContext context)
    {
        var price = context.Side == Side.Buyer
            ? context.TrueValueAudPerKwh * (1 - Markup)
            : context.TrueValueAudPerKwh * (1 + Markup);
        return new Quote(PriceBounds.Clamp(price, context), context.CapKwh);
    }
}
