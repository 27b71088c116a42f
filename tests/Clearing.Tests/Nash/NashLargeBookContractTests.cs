using V2V.Benchmarks.Clearing;
using V2V.Clearing;
using V2V.Market.Configuration;
using V2V.Market.Orders;
using static V2V.Clearing.Tests.Contract.ContractBooks;

namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// Issue 22's contract on a large generated book (the default solver, as <c>v2v run</c> clears a facility of a
/// thousand EVs): finite, feasible trades at their pairs' midpoints, certified to the configured gap against the tests'
/// own dual bound, and the same trades and certificate whatever the order of the book. One 600-order book keeps the
/// suite's time modest: the tests run unoptimised, where a 1,000-order book took over 12 s per iteration on the shared
/// machine (docs/solver.md, "Large books", has the times of the optimised build up to 5,000 orders).
/// </summary>
public sealed class NashLargeBookContractTests
{
    // The time budget is raised so that a slow machine cannot turn the test into a budget test (no timing is asserted).
    private static readonly ClearingConfig Spec = Config(ClearingMechanisms.NashName) with { SolverTimeBudgetSeconds = 3600 };

    [Fact]
    public void Nash_SixHundredOrdersTwoBuyersPerSeller_CertifiedFeasibleMidpointAndOrderIndependent()
    {
        var book = BookGenerator.TwoBuyersPerSeller(600, 0);
        var shuffled = Shuffled(book, 3);
        var nash = new NashBargaining(Spec);

        var result = nash.Clear(book);
        var again = nash.Clear(shuffled);

        Assert.True(result.Certificate!.Certified, $"not certified: {result.Certificate}");
        Assert.True(result.Certificate.RelativeGap <= Spec.SolverRelativeGap);
        NashBookChecks.AssertSound(book, result, Spec);
        Assert.Equal(result.Trades, again.Trades);
        Assert.Equal(result.Certificate, again.Certificate);
    }

    [Fact]
    public void Nash_SixHundredOrdersWithEightyIdenticalBids_PooledCertifiedFeasibleMidpointAndOrderIndependent()
    {
        // 80 copies of one bid (as truthful bidding gives urgent EVs in a large facility): past 40,000 pairs they are
        // pooled for the interior point method (IdenticalOrderPools), and the result is still the book's own, checked as
        // above. The copies share the highest price, so every seller's pairs with them are interchangeable.
        var book = BookGenerator.TwoBuyersPerSeller(600, 1);
        var top = book.Bids.MaxBy(o => o.PriceAudPerKwh)!;
        var bids = book.Bids.Concat(Enumerable.Range(0, 80).Select(c => top with { AgentId = $"copy-{c:D2}" })).ToList();
        book = new OrderBook(bids, book.Asks, book.EpsilonAud);
        var problem = V2V.Clearing.Nash.NashProblem.Build(book, Spec.MinTradeKwh);
        Assert.True(problem.EdgeCount >= V2V.Clearing.Nash.InteriorPointSolver.LargeEdges);
        Assert.Equal(bids.Count - 80, V2V.Clearing.Nash.IdenticalOrderPools.Find(problem, Spec.MinTradeKwh)!.Pooled.Buyers.Length);
        var nash = new NashBargaining(Spec);

        var result = nash.Clear(book);
        var again = nash.Clear(Shuffled(book, 5));

        Assert.True(result.Certificate!.Certified, $"not certified: {result.Certificate}");
        NashBookChecks.AssertSound(book, result, Spec);
        Assert.Equal(result.Trades, again.Trades);
        Assert.Equal(result.Certificate, again.Certificate);
    }
}
