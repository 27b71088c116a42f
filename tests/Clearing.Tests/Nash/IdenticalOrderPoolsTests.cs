using V2V.Benchmarks.Clearing;
using V2V.Clearing.Nash;
using V2V.Market.Orders;

namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// Identical orders pooled for the interior point method (IdenticalOrderPools): the pooled program's optimum, expanded
/// to the book, is the book's optimum, and its certificate is the book's own.
/// </summary>
public sealed class IdenticalOrderPoolsTests
{
    private const double Target = 1e-9;
    private const double MinTrade = 1e-6;

    [Theory]
    [InlineData(60, 0, 12)]
    [InlineData(100, 1, 30)]
    [InlineData(100, 2, 5)]
    public void Pools_BookWithIdenticalOrders_CertifiesTheSameOptimumAsTheBookItself(int participants, int seed, int copies)
    {
        var book = WithCopies(BookGenerator.MostPairsFeasible(participants, seed), copies);
        var plain = Solve(book, pooled: false);
        var pooled = Solve(book, pooled: true);

        Assert.True(plain.RelativeGap <= Target, $"plain {plain.RelativeGap:E3}");
        Assert.True(pooled.RelativeGap <= Target, $"pooled {pooled.RelativeGap:E3}");
        // Both certificates bound the one optimum.
        Assert.True(Math.Abs(plain.PrimalObjective - pooled.PrimalObjective) <= plain.DualityGap + pooled.DualityGap,
            $"{plain.PrimalObjective:R} vs {pooled.PrimalObjective:R}");
    }

    [Fact]
    public void Find_BookWithoutIdenticalOrders_ReturnsNull()
    {
        var problem = NashProblem.Build(BookGenerator.MostPairsFeasible(40, 3), MinTrade);

        Assert.Null(IdenticalOrderPools.Find(problem, MinTrade));
    }

    [Fact]
    public void Find_ThreeIdenticalBidsAndTwoIdenticalAsks_PoolsThemWithWeightsAndEpsilons()
    {
        var book = new OrderBook(
            [new("b1", 0.30, 2), new("b2", 0.30, 2), new("b3", 0.30, 2), new("b4", 0.30, 1)],
            [new("s1", 0.10, 4), new("s2", 0.10, 4), new("s3", 0.20, 4)],
            1e-3);
        var pools = IdenticalOrderPools.Find(NashProblem.Build(book, MinTrade), MinTrade)!;
        var pooled = pools.Pooled;

        // b1-b3 -> one bid of 6 kWh under b1's id; b4 stays (another quantity); s1-s2 -> one ask of 8 kWh.
        Assert.Equal(["b1", "b4"], pooled.Buyers.Select(o => o.AgentId));
        Assert.Equal([6.0, 1.0], pooled.Buyers.Select(o => o.EnergyKwh));
        Assert.Equal(["s1", "s3"], pooled.Sellers.Select(o => o.AgentId));
        Assert.Equal([8.0, 4.0], pooled.Sellers.Select(o => o.EnergyKwh));
        for (var k = 0; k < pooled.ParticipantCount; k++)
        {
            var members = pooled.SortedIndex(k) switch { 0 => 3, 2 => 2, _ => 1 };
            Assert.Equal(members, pooled.Weight![k]);
            Assert.Equal(members * pooled.ScaledEpsilon, pooled.ScaledEpsilonOf(k), 1e-15);
        }

        // Expanding: a pooled trade b1-pool x s1-pool of 6 kWh gives each of the 3 x 2 member pairs 1 kWh.
        var quantity = new double[4 * 3];
        var lambda = new double[7];
        pools.Expand([6, 0, 0, 0], [0.5, 0.25, 0.125, 0.0625], quantity, lambda);
        Assert.Equal([1.0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0], quantity);
        Assert.Equal([0.5, 0.5, 0.5, 0.25, 0.125, 0.125, 0.0625], lambda);
    }

    private static ClearingCertificate Solve(OrderBook book, bool pooled)
    {
        var problem = NashProblem.Build(book, MinTrade);
        var evaluator = new CertificateEvaluator(problem, MinTrade) { RoundUpAbove = Target };
        var pools = pooled ? IdenticalOrderPools.Find(problem, MinTrade) : null;
        Assert.True(!pooled || pools is not null);
        var solver = InteriorPointSolver.For(pools?.Pooled ?? problem, evaluator);
        evaluator.Pools = pools;
        solver.Run(Target, 200);
        return evaluator.BestCertificate;
    }

    // The book with `copies` extra bids, each a copy (new id) of one of its first bids, cycling over the first five.
    private static OrderBook WithCopies(OrderBook book, int copies)
    {
        var bids = book.Bids.ToList();
        for (var c = 0; c < copies; c++)
        {
            var original = book.Bids[c % 5];
            bids.Add(original with { AgentId = $"{original.AgentId}-copy{c}" });
        }

        return new OrderBook(bids, book.Asks, book.EpsilonAud);
    }
}
