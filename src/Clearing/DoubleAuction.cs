using V2V.Market.Configuration;
using V2V.Market.Orders;

namespace V2V.Clearing;

/// <summary>
/// The uniform-price double auction (SPEC 4, baseline).
/// </summary>
/// <remarks>
/// <para><b>Curves.</b> Bids sorted by price descending, asks by price ascending, equal prices by agent id
/// (ordinal), so the result does not depend on the order the orders arrived in. Each order with a positive
/// quantity becomes a segment of that width on its curve: the demand curve D(x) is the price of the bid that
/// covers unit x in (0, total bid quantity], the supply curve S(x) likewise. Orders with zero quantity cover
/// no unit; they can neither trade nor be marginal.</para>
/// <para><b>Crossing.</b> D is non-increasing and S non-decreasing, so {x : D(x) &gt;= S(x)} is an interval
/// (0, Q*]. Walking both curves together, each step pairs the current bid and ask segments over the width
/// both still have; the walk stops at the first pair with bid price &lt; ask price (or when a curve ends).
/// Q* is the total width walked. The <b>marginal bid and ask</b> are the segments that cover the last
/// crossing unit, i.e. the pair of the last step of the walk; the uniform price is their midpoint
/// p = (b_m + a_m) / 2, so a_m &lt;= p &lt;= b_m.</para>
/// <para><b>Fills.</b> Every walked step becomes a trade at p between its bid and ask ("in curve order").
/// Every bid walked has price &gt;= b_m &gt;= p and every ask walked has price &lt;= a_m &lt;= p, so all of
/// them are individually rational at p. Beyond Q* at most one side is still willing at p. If the walk ended
/// on a bid that moved on, the later bids are below the marginal ask, so below p; if on an ask that moved on,
/// the later asks are above the marginal bid, so above p; if both moved on together, the next bid is below
/// the next ask, so they cannot both be on the right side of p; if a curve ran out, that side has nothing
/// left. So the orders with bid &gt;= p (or ask &lt;= p) left unfilled, namely the rest of the marginal order
/// and later orders priced between p and the marginal price (ties included), are all on one side, with
/// nothing on the other side for them to trade with: curve order (price, then id) decides who is rationed.</para>
/// <para>Trades below <see cref="ClearingConfig.MinTradeKwh"/> are dropped after the price is set; the
/// price does not move. Each (bid, ask) pair meets in at most one step of the walk, so nothing is merged in
/// practice. There is no certificate.</para>
/// </remarks>
public sealed class DoubleAuction : IClearingMechanism
{
    // Two remaining widths within this relative distance are the same quantity: without it, rounding noise
    // such as 3.3 - 1.1 - 2.2 = 4e-16 would leave a sliver segment that could become the marginal unit and
    // move the price. Numerical tolerance only, not a model parameter.
    private const double SameWidthRelativeTolerance = 1e-12;

    private readonly double minTradeKwh;

    public DoubleAuction(ClearingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        this.minTradeKwh = config.MinTradeKwh;
    }

    public string Name => ClearingMechanisms.DoubleAuctionName;

    public ClearingResult Clear(OrderBook book)
    {
        ArgumentNullException.ThrowIfNull(book);
        var bids = Curve(book.Bids, descending: true);
        var asks = Curve(book.Asks, descending: false);
        if (bids.Length == 0 || asks.Length == 0)
        {
            return new ClearingResult([], null);
        }

        // The walk: each step is one (bid, ask, width) piece of the crossing interval (0, Q*].
        var pieces = new List<(int Bid, int Ask, double Width)>();
        int i = 0, j = 0;
        var bidLeft = bids[0].EnergyKwh;
        var askLeft = asks[0].EnergyKwh;
        while (i < bids.Length && j < asks.Length && bids[i].PriceAudPerKwh >= asks[j].PriceAudPerKwh)
        {
            if (Math.Abs(bidLeft - askLeft) <= SameWidthRelativeTolerance * Math.Max(bidLeft, askLeft))
            {
                pieces.Add((i, j, Math.Min(bidLeft, askLeft)));
                if (++i < bids.Length)
                {
                    bidLeft = bids[i].EnergyKwh;
                }

                if (++j < asks.Length)
                {
                    askLeft = asks[j].EnergyKwh;
                }
            }
            else if (bidLeft < askLeft)
            {
                pieces.Add((i, j, bidLeft));
                askLeft -= bidLeft;
                if (++i < bids.Length)
                {
                    bidLeft = bids[i].EnergyKwh;
                }
            }
            else
            {
                pieces.Add((i, j, askLeft));
                bidLeft -= askLeft;
                if (++j < asks.Length)
                {
                    askLeft = asks[j].EnergyKwh;
                }
            }
        }

        if (pieces.Count == 0)
        {
            return new ClearingResult([], null);
        }

        // SPEC 4: the uniform price is the midpoint of the marginal bid and ask (the last piece walked).
        var (marginalBid, marginalAsk, _) = pieces[^1];
        var price = (bids[marginalBid].PriceAudPerKwh + asks[marginalAsk].PriceAudPerKwh) / 2;

        var fills = new List<Trade>(pieces.Count);
        foreach (var (bid, ask, width) in pieces)
        {
            fills.Add(new Trade(bids[bid].AgentId, asks[ask].AgentId, price, width));
        }

        return new ClearingResult(TradeList.Finish(fills, this.minTradeKwh), null);
    }

    /// <summary>The orders with positive quantity, in curve order: price (descending for bids), then id.</summary>
    private static Order[] Curve(IReadOnlyList<Order> orders, bool descending)
    {
        var curve = new List<Order>(orders.Count);
        for (var k = 0; k < orders.Count; k++)
        {
            if (orders[k].EnergyKwh > 0)
            {
                curve.Add(orders[k]);
            }
        }

        var array = curve.ToArray();
        Array.Sort(array, descending ? BidOrder : AskOrder);
        return array;
    }

    private static readonly Comparison<Order> BidOrder = static (x, y) =>
    {
        var c = y.PriceAudPerKwh.CompareTo(x.PriceAudPerKwh);
        return c != 0 ? c : string.CompareOrdinal(x.AgentId, y.AgentId);
    };

    private static readonly Comparison<Order> AskOrder = static (x, y) =>
    {
        var c = x.PriceAudPerKwh.CompareTo(y.PriceAudPerKwh);
        return c != 0 ? c : string.CompareOrdinal(x.AgentId, y.AgentId);
    };
}
