using V2V.Market.Orders;

namespace V2V.Market.Tests.Orders;

/// <summary>OrderBook validation (SPEC 3): every bad order is refused with a message naming the side, index and field.</summary>
public sealed class OrderBookTests
{
    private static readonly Order GoodBid = new("b1", 0.25, 3.0);
    private static readonly Order GoodAsk = new("s1", 0.15, 2.0);

    [Fact]
    public void Construct_ValidOrders_KeepsThemInTheGivenOrder()
    {
        var bids = new[] { GoodBid, new Order("b0", 0.2, 0) };
        var book = new OrderBook(bids, [GoodAsk], 1e-3);

        Assert.Equal(["b1", "b0"], book.Bids.Select(o => o.AgentId));
        Assert.Equal(GoodAsk, Assert.Single(book.Asks));
        Assert.Equal(1e-3, book.EpsilonAud);
    }

    [Fact]
    public void Construct_NoOrders_IsAValidEmptyBook()
    {
        var book = new OrderBook([], [], 1e-3);

        Assert.Empty(book.Bids);
        Assert.Empty(book.Asks);
    }

    [Theory]
    [InlineData(-1.0, "sellers[1].quantity: must be a finite number >= 0, got -1")]
    [InlineData(double.NaN, "sellers[1].quantity: must be a finite number >= 0, got NaN")]
    [InlineData(double.PositiveInfinity, "sellers[1].quantity: must be a finite number >= 0, got Infinity")]
    public void Construct_BadQuantity_NamesSideIndexAndField(double quantity, string expected)
    {
        var error = Assert.Throws<OrderBookException>(() => new OrderBook([GoodBid], [GoodAsk, new Order("s2", 0.1, quantity)], 1e-3));

        Assert.Equal(expected, error.Message);
    }

    [Theory]
    [InlineData(-0.01, "buyers[0].price: must be a finite number >= 0, got -0.01")]
    [InlineData(double.NaN, "buyers[0].price: must be a finite number >= 0, got NaN")]
    public void Construct_BadPrice_NamesSideIndexAndField(double price, string expected)
    {
        var error = Assert.Throws<OrderBookException>(() => new OrderBook([new Order("b9", price, 1)], [GoodAsk], 1e-3));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Construct_IdOnBothSides_IsADuplicate()
    {
        var error = Assert.Throws<OrderBookException>(() => new OrderBook([GoodBid], [GoodAsk, new Order("b1", 0.1, 1)], 1e-3));

        Assert.Equal("sellers[1].id: duplicate id 'b1'", error.Message);
    }

    [Fact]
    public void Construct_IdsDifferingOnlyInCase_AreDistinct()
    {
        var book = new OrderBook([GoodBid, new Order("B1", 0.2, 1)], [GoodAsk], 1e-3);

        Assert.Equal(2, book.Bids.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Construct_BlankId_IsRefused(string id)
    {
        var error = Assert.Throws<OrderBookException>(() => new OrderBook([new Order(id, 0.2, 1)], [], 1e-3));

        Assert.Equal("buyers[0].id: must be a non-empty string", error.Message);
    }

    [Fact]
    public void Construct_NullOrder_IsRefused()
    {
        var error = Assert.Throws<OrderBookException>(() => new OrderBook([GoodBid], [null!], 1e-3));

        Assert.Equal("sellers[0]: order is null", error.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1e-3)]
    [InlineData(double.NaN)]
    public void Construct_EpsilonNotPositive_IsRefused(double epsilon)
    {
        var error = Assert.Throws<OrderBookException>(() => new OrderBook([GoodBid], [GoodAsk], epsilon));

        Assert.StartsWith("epsilon: must be a finite number > 0, got ", error.Message);
    }
}
