using V2V.Benchmarks.Clearing;
using V2V.Clearing;
using V2V.Market.Configuration;
using V2V.Market.Orders;
using static V2V.Clearing.Tests.Contract.ContractBooks;

namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// Nash bargaining on the books the simulation produces and random books rarely do: many identical prices, so the
/// optimal quantities are far from unique, and orders below the minimum trade. The utilities must still be the
/// unique optimum (checked against the independent reference solver), the trades few, and the certificate 1e-9.
/// </summary>
public sealed class NashDegenerateBookTests
{
    private static readonly ClearingConfig NashConfig = Config(ClearingMechanisms.NashName);
    private static readonly IClearingMechanism Nash = new NashBargaining(NashConfig);

    [Fact]
    public void NashBargaining_IdenticalBuyersThreeSellers_ReferenceUtilitiesWithFewerTrades()
    {
        // Eight identical urgent buyers, three sellers at distinct asks, supply short. By symmetry every buyer gets the
        // same utility; the centre of the optimal face would have all 8 x 3 = 24 pairs trading.
        var bids = Enumerable.Range(0, 8).Select(i => Bid($"b{i}", 0.28, 5.5)).ToArray();
        var book = Book(bids, [Ask("s0", 0.15, 4), Ask("s1", 0.17, 3), Ask("s2", 0.185, 2)]);

        var result = Nash.Clear(book);

        NashReferenceAgreementTests.AssertAgreesWithReference(book);
        Assert.True(result.Certificate!.RelativeGap <= NashConfig.SolverRelativeGap, $"gap {result.Certificate.RelativeGap:E2}");
        var buyerUtilities = BidUtilities.Of(book, result.Trades).Where(u => u.Key.StartsWith('b')).Select(u => u.Value).ToArray();
        Assert.All(buyerUtilities, u => Assert.Equal(buyerUtilities[0], u, 1e-9));
        Assert.True(result.Trades.Count < 24, $"{result.Trades.Count} trades");

        // No two identical buyers still share three sellers: each such pair could shift energy without changing a
        // utility, which the solution has already done until one of their trades emptied.
        var sellersOf = result.Trades.GroupBy(t => t.BuyerId).ToDictionary(g => g.Key, g => g.Select(t => t.SellerId).ToHashSet());
        foreach (var a in sellersOf)
        {
            foreach (var b in sellersOf.Where(b => string.CompareOrdinal(b.Key, a.Key) > 0))
            {
                Assert.True(a.Value.Intersect(b.Value).Count() < 3, $"{a.Key} and {b.Key} share {string.Join(",", a.Value.Intersect(b.Value))}");
            }
        }
    }

    [Fact]
    public void NashBargaining_IdenticalBuyersAndIdenticalSellers_MatchesHandSolvedUtilities()
    {
        // A block of identical bids (0.28, 1..5 kWh) facing identical asks (0.19, 2..5 kWh): every pair gains
        // g = 0.045 AUD/kWh. Supply 14 < demand 15, so the sellers sell all (u = 0.045 Q). The buyers' log utilities
        // share the 14 kWh as equally as their capacities allow: 1, 2, 3 kWh (capacities bind), then 4 and 4.
        var bids = Enumerable.Range(0, 5).Select(i => Bid($"b{i}", 0.28, 1 + i)).ToArray();
        var asks = Enumerable.Range(0, 4).Select(j => Ask($"s{j}", 0.19, 2 + j)).ToArray();
        var book = Book(bids, asks);
        double[] expected = [1, 2, 3, 4, 4, 2, 3, 4, 5];

        var result = Nash.Clear(book);

        var cert = result.Certificate!;
        Assert.True(cert.RelativeGap <= NashConfig.SolverRelativeGap, $"gap {cert.RelativeGap:E2}");
        Assert.True(result.Trades.Count < bids.Length * asks.Length, $"{result.Trades.Count} trades");

        // Moving d kWh between two buyers of equal utility U costs about (d / U)^2 of objective, so a certified gap G
        // pins each utility to within U sqrt(2 G): the objective is that flat around this optimum.
        var utilities = BidUtilities.Of(book, result.Trades).ToDictionary(u => u.Key, u => u.Value);
        string[] ids = [.. bids.Select(b => b.AgentId), .. asks.Select(a => a.AgentId)];
        for (var k = 0; k < ids.Length; k++)
        {
            var u = 0.045 * expected[k];
            Assert.InRange(utilities[ids[k]], u - (u * Math.Sqrt(2 * cert.DualityGap)) - 1e-12, u + (u * Math.Sqrt(2 * cert.DualityGap)) + 1e-12);
        }
    }

    [Fact]
    public void NashBargaining_OrderBelowMinimumTrade_TradesNothingAndLeavesTheRestAsWithoutIt()
    {
        // A seller with 1e-7 kWh (a battery all but at its threshold) can only ever trade below the minimum.
        Order[] bids = [Bid("b0", 0.26, 3), Bid("b1", 0.22, 2)];
        Order[] asks = [Ask("s0", 0.15, 2.5), Ask("s1", 0.18, 1.5)];
        var with = Nash.Clear(Book(bids, [.. asks, Ask("s9", 0.14, 1e-7)]));
        var without = Nash.Clear(Book(bids, asks));

        Assert.DoesNotContain(with.Trades, t => t.SellerId == "s9");
        Assert.True(with.Certificate!.RelativeGap <= NashConfig.SolverRelativeGap, $"gap {with.Certificate.RelativeGap:E2}");
        Assert.Equal(without.Trades.Count, with.Trades.Count);
        for (var t = 0; t < with.Trades.Count; t++)
        {
            Assert.Equal(without.Trades[t].BuyerId, with.Trades[t].BuyerId);
            Assert.Equal(without.Trades[t].SellerId, with.Trades[t].SellerId);
            Assert.Equal(without.Trades[t].EnergyKwh, with.Trades[t].EnergyKwh, 1e-9);
        }
    }

    [Theory]
    [InlineData(12)]
    [InlineData(20)]
    public void NashBargaining_SimulationLikeBooks_MatchesReferenceUtilities(int agents)
    {
        for (var seed = 0; seed < 4; seed++)
        {
            var book = WithoutOrdersBelow(BookGenerator.SimulationLike(agents, seed), NashConfig.MinTradeKwh);
            NashReferenceAgreementTests.AssertAgreesWithReference(book);
        }
    }

    // The reference solver knows nothing of the minimum trade; orders that cannot trade are left out for it.
    private static OrderBook WithoutOrdersBelow(OrderBook book, double minTradeKwh) => new(
        book.Bids.Where(o => o.EnergyKwh >= minTradeKwh).ToList(),
        book.Asks.Where(o => o.EnergyKwh >= minTradeKwh).ToList(),
        book.EpsilonAud);
}
