using FsCheck;
using FsCheck.Fluent;
using V2V.Clearing;
using V2V.Clearing.Tests.Contract;
using V2V.Market.Orders;
using static V2V.Clearing.Tests.Contract.ContractBooks;

namespace V2V.Clearing.Tests.Baselines;

/// <summary>The double auction (SPEC 4) on books worked out by hand, and against a unit-by-unit reference.</summary>
public sealed class DoubleAuctionTests
{
    private static readonly DoubleAuction Auction = new(Config("double-auction"));

    [Fact]
    public void DoubleAuction_PaperBook_PriceIsMidpointOfMarginalPairAndFillsFollowCurves()
    {
        // Demand: b1 (0,2] 0.27, b2 (2,5] 0.25, b3 (5,7] 0.22, b4 (7,11] 0.18.
        // Supply: s1 (0,3] 0.15, s2 (3,5] 0.19, s3 (5,9] 0.21, s4 (9,10] 0.24.
        // Crossing ends at 7 kWh (at 7+ the bid 0.18 < ask 0.21); marginal bid b3 0.22, ask s3 0.21.
        var book = Book(
            [Bid("b4", 0.18, 4), Bid("b2", 0.25, 3), Bid("b1", 0.27, 2), Bid("b3", 0.22, 2)],
            [Ask("s3", 0.21, 4), Ask("s1", 0.15, 3), Ask("s4", 0.24, 1), Ask("s2", 0.19, 2)]);

        var result = Auction.Clear(book);
        const double P = (0.22 + 0.21) / 2;

        Assert.Null(result.Certificate);
        Assert.Equal(
            [
                new Trade("b1", "s1", P, 2),
                new Trade("b2", "s1", P, 1),
                new Trade("b2", "s2", P, 2),
                new Trade("b3", "s3", P, 2),
            ],
            result.Trades);
    }

    [Fact]
    public void DoubleAuction_TiedMarginalBids_RationedByIdOrder()
    {
        // Both bids at 0.25 are willing; 3 kWh of supply: curve order (id "ba" before "bb") rations "bb".
        var book = Book([Bid("bb", 0.25, 2), Bid("ba", 0.25, 2)], [Ask("s1", 0.15, 3)]);

        var result = Auction.Clear(book);

        Assert.Equal([new Trade("ba", "s1", (0.25 + 0.15) / 2, 2), new Trade("bb", "s1", (0.25 + 0.15) / 2, 1)], result.Trades);
    }

    [Fact]
    public void DoubleAuction_BothMarginalOrdersExhaustedTogether_LaterWillingBidStaysUnfilled()
    {
        // b1 and s1 both end at 2 kWh; next bid 0.22 < next ask 0.24, so the crossing is 2 kWh and the
        // price is (0.26 + 0.18) / 2 = 0.22. b2 would pay 0.22 but no ask at <= 0.22 is left.
        var book = Book([Bid("b1", 0.26, 2), Bid("b2", 0.22, 1)], [Ask("s1", 0.18, 2), Ask("s2", 0.24, 1)]);

        var result = Auction.Clear(book);

        Assert.Equal([new Trade("b1", "s1", (0.26 + 0.18) / 2, 2)], result.Trades);
    }

    [Fact]
    public void DoubleAuction_MarginalAskHasLeftover_LeftoverUnsoldAndPriceFromIt()
    {
        // The ask 0.20 x 5 is marginal with 3 kWh left over; the next bid 0.19 is below it.
        var book = Book([Bid("b1", 0.26, 2), Bid("b2", 0.19, 4)], [Ask("s1", 0.20, 5)]);

        var result = Auction.Clear(book);

        Assert.Equal([new Trade("b1", "s1", (0.26 + 0.20) / 2, 2)], result.Trades);
    }

    [Fact]
    public void DoubleAuction_ZeroQuantityOrders_CannotBeMarginal()
    {
        // Without the zero-quantity ask at 0.25 the marginal pair is (0.26, 0.16).
        var book = Book([Bid("b1", 0.26, 2)], [Ask("s0", 0.25, 0), Ask("s1", 0.16, 3)]);

        var result = Auction.Clear(book);

        Assert.Equal([new Trade("b1", "s1", (0.26 + 0.16) / 2, 2)], result.Trades);
    }

    [Fact]
    public void DoubleAuction_PieceBelowMinimum_DroppedAndPriceUnchanged()
    {
        // Pieces: b1-s1 1.8 kWh, b1-s2 0.2 kWh; marginal (0.26, 0.20) gives 0.23; 0.2 < 0.5 is dropped.
        var auction = new DoubleAuction(Config("double-auction") with { MinTradeKwh = 0.5 });
        var book = Book([Bid("b1", 0.26, 2)], [Ask("s1", 0.16, 1.8), Ask("s2", 0.20, 1)]);

        var result = auction.Clear(book);

        var trade = Assert.Single(result.Trades);
        Assert.Equal(("b1", "s1", (0.26 + 0.20) / 2), (trade.BuyerId, trade.SellerId, trade.PriceAudPerKwh));
        Assert.Equal(1.8, trade.EnergyKwh, 12);
    }

    [Fact]
    public void DoubleAuction_RoundingNoiseInWidths_DoesNotCreateASliverMarginalUnit()
    {
        // 0.1 + 0.2 != 0.3 in binary; the ask of 0.3 kWh is used up exactly by bids of 0.1 and 0.2 kWh,
        // so the next bid (0.17) meets the next ask (0.18): no trade there, and the marginal ask is s1.
        var book = Book(
            [Bid("b1", 0.27, 0.1), Bid("b2", 0.25, 0.2), Bid("b3", 0.17, 1)],
            [Ask("s1", 0.15, 0.3), Ask("s2", 0.18, 1)]);

        var result = Auction.Clear(book);

        Assert.Equal(2, result.Trades.Count);
        Assert.All(result.Trades, t => Assert.Equal((0.25 + 0.15) / 2, t.PriceAudPerKwh));
        Assert.Equal(0.3, result.Trades.Sum(t => t.EnergyKwh), 12);
    }

    [Fact]
    public void DoubleAuction_AllTradesAtOneUniformPrice()
    {
        var result = Auction.Clear(Random(60, seed: 11));
        Assert.NotEmpty(result.Trades);
        Assert.Single(result.Trades.Select(t => t.PriceAudPerKwh).Distinct());
    }

    [Fact]
    public void DoubleAuction_SmallBooks_AgreesWithUnitByUnitReference()
    {
        Prop.ForAll(BookGenerators.CentiKwhBooks(maxPerSide: 8), generated =>
        {
            var book = generated.ToBook();
            var (price, units) = ReferenceDoubleAuction.Clear(book);
            var trades = Auction.Clear(book).Trades;

            Assert.Equal(units.Count, trades.Count);
            foreach (var t in trades)
            {
                Assert.Equal(price, t.PriceAudPerKwh);
                Assert.True(units.TryGetValue((t.BuyerId, t.SellerId), out var n), $"unexpected pair {t}");
                Assert.Equal(ReferenceDoubleAuction.ToKwh(n), t.EnergyKwh, 9);
            }
        }).QuickCheckThrowOnFailure();
    }
}
