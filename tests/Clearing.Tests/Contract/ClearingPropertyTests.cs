using FsCheck;
using FsCheck.Fluent;
using V2V.Clearing;
using static V2V.Clearing.Tests.Contract.ContractBooks;

namespace V2V.Clearing.Tests.Contract;

/// <summary>
/// FsCheck properties of every clearing mechanism (SPEC 4) on random books of up to 40 agents.
/// </summary>
public sealed class ClearingPropertyTests
{
    [Theory]
    [MemberData(nameof(Mechanisms), MemberType = typeof(ContractBooks))]
    public void Clear_RandomBooks_InvariantsHold(string name)
    {
        var mechanism = Create(name);
        var config = Config(name);
        Prop.ForAll(BookGenerators.Books(), generated =>
        {
            var book = generated.ToBook();
            ClearingInvariants.AssertHold(book, mechanism.Clear(book), config);
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [MemberData(nameof(Mechanisms), MemberType = typeof(ContractBooks))]
    public void Clear_RandomBooksShuffled_ExactlyTheSameTrades(string name)
    {
        var mechanism = Create(name);
        Prop.ForAll(BookGenerators.Books(), generated =>
        {
            var book = generated.ToBook();
            var expected = mechanism.Clear(book).Trades;
            var actual = mechanism.Clear(Shuffled(book, generated.ShuffleSeed)).Trades;
            Assert.Equal(expected, actual);
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [MemberData(nameof(Mechanisms), MemberType = typeof(ContractBooks))]
    public void Clear_RandomBooksWithAFeasiblePair_TradesSomething(string name)
    {
        // Every mechanism trades when some bid meets some ask with a positive gain; generated quantities
        // are 0 or at least 0.01 kWh, far above the minimum trade.
        var mechanism = Create(name);
        Prop.ForAll(BookGenerators.Books(), generated =>
        {
            var book = generated.ToBook();
            var strictlyFeasible = false;
            foreach (var b in book.Bids)
            {
                foreach (var a in book.Asks)
                {
                    strictlyFeasible |= b.EnergyKwh > 0 && a.EnergyKwh > 0 && b.PriceAudPerKwh > a.PriceAudPerKwh;
                }
            }

            var trades = mechanism.Clear(book).Trades;
            Assert.True(!strictlyFeasible || trades.Count > 0, "a pair with positive gain exists but nothing traded");
            Assert.True(ClearingInvariants.HasFeasiblePair(book) || trades.Count == 0, "traded without a feasible pair");
        }).QuickCheckThrowOnFailure();
    }
}
