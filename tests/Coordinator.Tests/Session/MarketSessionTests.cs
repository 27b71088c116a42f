using V2V.Coordinator.Ledger;
using V2V.Market.Orders;
using V2V.Market.Protocol;

namespace V2V.Coordinator.Tests.Session;

public sealed class MarketSessionTests
{
    [Fact]
    public void Clear_OneBuyerOneSeller_ProposesMidpointFillForTheSmallerQuantity()
    {
        var (_, ledger, fill) = SessionFixture.OneTradeCleared();
        Assert.Equal(("b1", "s1", 0.20, 2.0), (fill.BuyerId, fill.SellerId, Math.Round(fill.PriceAudPerKwh, 12), fill.EnergyKwh));
        Assert.Single(ledger.Entries.OfType<TradeCleared>());
        Assert.Empty(ledger.Entries.OfType<TradeCommitted>());
    }

    [Fact]
    public void Accept_BothPartiesOnce_CommitsOnce_RepeatsChangeNothing()
    {
        var (session, ledger, fill) = SessionFixture.OneTradeCleared();
        Assert.Null(session.Accept(fill.TradeId, "b1"));
        Assert.Null(session.Accept(fill.TradeId, "b1"));
        var commit = session.Accept(fill.TradeId, "s1");
        Assert.NotNull(commit);
        Assert.Null(session.Accept(fill.TradeId, "s1"));
        Assert.Null(session.Accept(fill.TradeId, "b1"));
        Assert.Single(ledger.Entries.OfType<TradeCommitted>());
        Assert.Empty(session.ExpireSettlement());
        session.CloseStep();
        Assert.Empty(LedgerVerifier.Verify(ledger.Entries));
    }

    [Fact]
    public void Accept_Committed_MovesEnergyAndMoneyInTheLedgerBalance()
    {
        var (session, _, fill) = SessionFixture.OneTradeCleared();
        session.Accept(fill.TradeId, "b1");
        session.Accept(fill.TradeId, "s1");
        var buyer = session.Recover("b1");
        var seller = session.Recover("s1");
        Assert.Equal(0.40 + (2 / 75.0), buyer.Soc, 12);
        Assert.Equal(0.90 - (2 / 75.0), seller.Soc, 12);
        Assert.Equal(-0.40, buyer.CashAud, 12);
        Assert.Equal(0.40, seller.CashAud, 12);
        Assert.Equal([fill.TradeId], buyer.AppliedTrades);
    }

    [Fact]
    public void ExpireSettlement_OnePartySilent_VoidsTheTrade_NothingMoves()
    {
        var (session, ledger, fill) = SessionFixture.OneTradeCleared();
        session.Accept(fill.TradeId, "b1");
        var voided = session.ExpireSettlement();
        session.CloseStep();
        Assert.Equal("timeout", Assert.Single(voided).Reason);
        Assert.Equal(0.40, session.Recover("b1").Soc, 12);
        Assert.Single(ledger.Entries.OfType<TradeVoided>());
        Assert.Empty(LedgerVerifier.Verify(ledger.Entries));
    }

    [Fact]
    public void Drop_BetweenClearingAndSettlement_VoidsForBoth_LateAcceptIgnored()
    {
        var (session, ledger, fill) = SessionFixture.OneTradeCleared();
        session.Accept(fill.TradeId, "b1");
        var voided = session.Drop(0, "s1", "dropout");
        Assert.Equal("party-dropout", Assert.Single(voided).Reason);
        Assert.Null(session.Accept(fill.TradeId, "s1"));
        Assert.Empty(session.ExpireSettlement());
        session.CloseStep();
        Assert.False(session.IsParked("s1"));
        Assert.Empty(LedgerVerifier.Verify(ledger.Entries));
    }

    [Fact]
    public void Receive_AfterDeadline_RejectedAsLate_AndCounted()
    {
        var (session, ledger) = SessionFixture.Create();
        session.Arrive(0, "b1", 0.4, 0.6, 8);
        session.Open(0, deadlineMs: 100);
        Assert.Equal("late", session.Receive(new SubmitOrder(0, "b1", Side.Buyer, 0.25, 3, 0.26), 100.5));
        Assert.Equal(1, session.LateOrders);
        Assert.Equal("late", Assert.Single(ledger.Entries.OfType<OrderRejected>()).Reason);
    }

    [Theory]
    [InlineData("ghost", 0.25, 3.0, "not-parked")]
    [InlineData("b1", double.NaN, 3.0, "invalid-price")]
    [InlineData("b1", 0.25, 0.0, "invalid-quantity")]
    public void Receive_BadOrder_RejectedWithReason(string agent, double price, double quantity, string reason)
    {
        var (session, _) = SessionFixture.Create();
        session.Arrive(0, "b1", 0.4, 0.6, 8);
        session.Open(0, deadlineMs: 100);
        Assert.Equal(reason, session.Receive(new SubmitOrder(0, agent, Side.Buyer, price, quantity, 0.26), 1));
    }

    [Fact]
    public void Receive_DuplicateOrder_KeepsTheFirst()
    {
        var (session, ledger) = SessionFixture.Create();
        session.Arrive(0, "b1", 0.4, 0.6, 8);
        session.Open(0, deadlineMs: 100);
        Assert.Null(session.Receive(new SubmitOrder(0, "b1", Side.Buyer, 0.25, 3, 0.26), 1));
        Assert.Equal("duplicate", session.Receive(new SubmitOrder(0, "b1", Side.Buyer, 0.25, 3, 0.26), 2));
        Assert.Single(ledger.Entries.OfType<OrderAccepted>());
    }

    [Fact]
    public void Depart_ReportMatchingTheLedger_VerifiesClean_MismatchIsCaught()
    {
        var (session, ledger, fill) = SessionFixture.OneTradeCleared();
        session.Accept(fill.TradeId, "b1");
        session.Accept(fill.TradeId, "s1");
        session.CloseStep();
        session.Depart(new DepartureReport(1, "b1", 0.40 + (2 / 75.0), -0.40));
        session.Depart(new DepartureReport(1, "s1", 0.90, 0.40)); // forgot to apply the energy it sold
        var violations = LedgerVerifier.Verify(ledger.Entries);
        Assert.Contains(violations, v => v.Contains("s1 left with SoC 0.9", StringComparison.Ordinal));
        Assert.Single(violations);
    }

    [Fact]
    public void Open_BeforeTheLastStepSettled_Throws()
    {
        var (session, _, _) = SessionFixture.OneTradeCleared();
        Assert.Throws<InvalidOperationException>(() => session.Open(1, 200));
    }

    [Fact]
    public void CloseStep_Trades_UpdateThePriceHistory()
    {
        var (session, _, fill) = SessionFixture.OneTradeCleared();
        session.Accept(fill.TradeId, "b1");
        session.Accept(fill.TradeId, "s1");
        Assert.Equal(0.165, session.Prices.LastAudPerKwh, 12); // midpoint of [0.05, 0.28] before any trade
        session.CloseStep();
        Assert.Equal(0.20, session.Prices.LastAudPerKwh, 12);
        session.Open(1, 200);
        Assert.Equal(0.20, session.Prices.LastAudPerKwh, 12);
    }
}
