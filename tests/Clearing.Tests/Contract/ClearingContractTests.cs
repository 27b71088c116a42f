using V2V.Market.Orders;
using static V2V.Clearing.Tests.Contract.ContractBooks;

namespace V2V.Clearing.Tests.Contract;

/// <summary>
/// Edge cases every clearing mechanism must handle (SPEC 4), run against each name in the factory.
/// </summary>
public sealed class ClearingContractTests
{
    [Theory]
    [MemberData(nameof(Mechanisms), MemberType = typeof(ContractBooks))]
    public void Clear_EmptyBook_NoTrades(string name)
    {
        var book = Book([], []);
        var result = Create(name).Clear(book);
        Assert.Empty(result.Trades);
    }

    [Theory]
    [MemberData(nameof(Mechanisms), MemberType = typeof(ContractBooks))]
    public void Clear_NoBuyers_NoTrades(string name)
    {
        var book = Book([], [Ask("s1", 0.15, 3), Ask("s2", 0.18, 2)]);
        Assert.Empty(Create(name).Clear(book).Trades);
    }

    [Theory]
    [MemberData(nameof(Mechanisms), MemberType = typeof(ContractBooks))]
    public void Clear_NoSellers_NoTrades(string name)
    {
        var book = Book([Bid("b1", 0.25, 3), Bid("b2", 0.22, 2)], []);
        Assert.Empty(Create(name).Clear(book).Trades);
    }

    [Theory]
    [MemberData(nameof(Mechanisms), MemberType = typeof(ContractBooks))]
    public void Clear_OneParticipant_NoTrades(string name)
    {
        Assert.Empty(Create(name).Clear(Book([Bid("b1", 0.25, 3)], [])).Trades);
        Assert.Empty(Create(name).Clear(Book([], [Ask("s1", 0.15, 3)])).Trades);
    }

    [Theory]
    [MemberData(nameof(Mechanisms), MemberType = typeof(ContractBooks))]
    public void Clear_EveryBidBelowEveryAsk_NoTrades(string name)
    {
        var book = Book(
            [Bid("b1", 0.17, 3), Bid("b2", 0.16, 4)],
            [Ask("s1", 0.18, 3), Ask("s2", 0.20, 1)]);
        Assert.Empty(Create(name).Clear(book).Trades);
    }

    [Theory]
    [MemberData(nameof(Mechanisms), MemberType = typeof(ContractBooks))]
    public void Clear_ZeroQuantities_ZeroQuantityAgentsNeverTrade(string name)
    {
        var book = Book(
            [Bid("b0", 0.28, 0), Bid("b1", 0.24, 2)],
            [Ask("s0", 0.14, 0), Ask("s1", 0.18, 3)]);
        var result = Create(name).Clear(book);
        ClearingInvariants.AssertHold(book, result, Config(name));
        var trade = Assert.Single(result.Trades);
        Assert.Equal(("b1", "s1"), (trade.BuyerId, trade.SellerId));
        Assert.Equal(2.0, trade.EnergyKwh, 9);
    }

    [Theory]
    [MemberData(nameof(Mechanisms), MemberType = typeof(ContractBooks))]
    public void Clear_AllQuantitiesZero_NoTrades(string name)
    {
        var book = Book([Bid("b1", 0.25, 0)], [Ask("s1", 0.15, 0)]);
        Assert.Empty(Create(name).Clear(book).Trades);
    }

    [Theory]
    [MemberData(nameof(Mechanisms), MemberType = typeof(ContractBooks))]
    public void Clear_BidEqualsAsk_AnyTradeIsAtThatPrice(string name)
    {
        // b = a is feasible (SPEC 4: b_i >= a_j) but has zero gain, so whether it trades is the mechanism's
        // business; if it does, the only individually rational price is b = a.
        var book = Book([Bid("b1", 0.2, 2)], [Ask("s1", 0.2, 5)]);
        var result = Create(name).Clear(book);
        ClearingInvariants.AssertHold(book, result, Config(name));
        Assert.All(result.Trades, t => Assert.Equal(0.2, t.PriceAudPerKwh));
    }

    [Theory]
    [MemberData(nameof(Mechanisms), MemberType = typeof(ContractBooks))]
    public void Clear_AllPricesEqual_InvariantsHoldAndOrderDoesNotMatter(string name)
    {
        var bids = new List<Order>();
        var asks = new List<Order>();
        for (var k = 0; k < 6; k++)
        {
            bids.Add(Bid($"b{k}", 0.21, 1 + k));
            asks.Add(Ask($"s{k}", 0.21, 6 - k));
        }

        var book = Book(bids, asks);
        var result = Create(name).Clear(book);
        ClearingInvariants.AssertHold(book, result, Config(name));
        Assert.All(result.Trades, t => Assert.Equal(0.21, t.PriceAudPerKwh));
        for (var seed = 0; seed < 5; seed++)
        {
            Assert.Equal(result.Trades, Create(name).Clear(Shuffled(book, seed)).Trades);
        }
    }

    [Theory]
    [MemberData(nameof(Mechanisms), MemberType = typeof(ContractBooks))]
    public void Clear_OneFeasiblePair_TradesTheSmallerQuantity(string name)
    {
        var book = Book(
            [Bid("b1", 0.26, 4), Bid("b2", 0.15, 5)],
            [Ask("s1", 0.16, 1.5), Ask("s2", 0.27, 5)]);
        var result = Create(name).Clear(book);
        ClearingInvariants.AssertHold(book, result, Config(name));
        var trade = Assert.Single(result.Trades);
        Assert.Equal(("b1", "s1"), (trade.BuyerId, trade.SellerId));
        Assert.Equal(1.5, trade.EnergyKwh, 9);
    }

    [Theory]
    [MemberData(nameof(Mechanisms), MemberType = typeof(ContractBooks))]
    public void Clear_QuantitiesBelowMinimum_NoTrades(string name)
    {
        var config = Config(name);
        var tiny = config.MinTradeKwh / 4;
        var book = Book([Bid("b1", 0.26, tiny)], [Ask("s1", 0.16, 3)]);
        Assert.Empty(Create(name).Clear(book).Trades);
    }

    [Theory]
    [MemberData(nameof(Mechanisms), MemberType = typeof(ContractBooks))]
    public void Clear_FiveHundredAgents_InvariantsHoldAndShuffleGivesSameTrades(string name)
    {
        var book = Random(500, seed: 7);
        var mechanism = Create(name);
        var result = mechanism.Clear(book);
        ClearingInvariants.AssertHold(book, result, Config(name));
        Assert.NotEmpty(result.Trades);
        Assert.Equal(result.Trades, mechanism.Clear(Shuffled(book, 1)).Trades);
    }

    [Theory]
    [MemberData(nameof(Mechanisms), MemberType = typeof(ContractBooks))]
    public void Clear_SameMechanismTwice_NoStateCarriedOver(string name)
    {
        var mechanism = Create(name);
        var first = Random(20, seed: 3);
        var expected = mechanism.Clear(first).Trades;
        mechanism.Clear(Random(30, seed: 4));
        Assert.Equal(expected, mechanism.Clear(first).Trades);
    }

    [Theory]
    [MemberData(nameof(Mechanisms), MemberType = typeof(ContractBooks))]
    public void Name_IsTheFactoryName(string name) => Assert.Equal(name, Create(name).Name);
}
