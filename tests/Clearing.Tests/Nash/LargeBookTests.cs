using V2V.Benchmarks.Clearing;
using V2V.Clearing;
using V2V.Clearing.Nash.LargeBooks;
using V2V.Clearing.Tests.Contract;
using V2V.Market.Configuration;
using V2V.Market.Orders;
using static V2V.Clearing.Tests.Contract.ContractBooks;

namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// The large-book path (column generation, <see cref="ColumnGeneration"/>), reached through NashBargaining's internal
/// threshold: its sparse factorisation, and its certificate, which must be a true bound over every pair of the book
/// whether or not the working set found the support (checked against the dense solver's certified optimum).
/// </summary>
public sealed class LargeBookTests
{
    private static readonly ClearingConfig Spec = Config(ClearingMechanisms.NashName) with { SolverMaxIterations = 200 };

    [Fact]
    public void SparseNodeCholesky_RandomBlockSystem_SolvesToRoundingError()
    {
        // K = diag blocks + one w [[g^2, g], [g, 1]] block per edge of a random graph (the Newton matrix's shape), made
        // diagonally dominant so it is positive definite; the solution must reproduce the right-hand side.
        var rng = new Random(7);
        const int nodes = 60;
        var from = new List<int>();
        var to = new List<int>();
        var seen = new HashSet<(int, int)>();
        for (var e = 0; e < 150; e++)
        {
            int a = rng.Next(nodes), b = rng.Next(nodes);
            if (a != b && seen.Add((Math.Min(a, b), Math.Max(a, b))))
            {
                from.Add(a);
                to.Add(b);
            }
        }

        var w = from.Select(_ => 0.1 + rng.NextDouble()).ToArray();
        var g = from.Select(_ => 0.1 + rng.NextDouble()).ToArray();
        var dense = new double[2 * nodes, 2 * nodes];
        for (var v = 0; v < nodes; v++)
        {
            dense[2 * v, 2 * v] = 1 + rng.NextDouble();
            dense[(2 * v) + 1, (2 * v) + 1] = 1 + rng.NextDouble();
        }

        for (var e = 0; e < from.Count; e++)
        {
            double[] block = [w[e] * g[e] * g[e], w[e] * g[e], w[e] * g[e], w[e]];
            foreach (var (r, c) in new[] { (from[e], to[e]), (to[e], from[e]) })
            {
                for (var i = 0; i < 2; i++)
                {
                    for (var j = 0; j < 2; j++)
                    {
                        dense[(2 * r) + i, (2 * c) + j] += block[(2 * i) + j];
                        dense[(2 * r) + i, (2 * r) + j] += Math.Abs(block[(2 * i) + j]) * 2;
                    }
                }
            }
        }

        var d11 = Enumerable.Range(0, nodes).Select(v => dense[2 * v, 2 * v]).ToArray();
        var d21 = Enumerable.Range(0, nodes).Select(v => dense[(2 * v) + 1, 2 * v]).ToArray();
        var d22 = Enumerable.Range(0, nodes).Select(v => dense[(2 * v) + 1, (2 * v) + 1]).ToArray();
        var cholesky = new SparseNodeCholesky(nodes);
        Assert.True(cholesky.Analyse(from.ToArray(), to.ToArray(), long.MaxValue));
        cholesky.Begin(d11, d21, d22);
        for (var e = 0; e < from.Count; e++)
        {
            cholesky.SetEdge(e, w[e], g[e]);
        }

        Assert.Equal(0, cholesky.Factor());
        var rhs = Enumerable.Range(0, 2 * nodes).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var x0 = Enumerable.Range(0, nodes).Select(v => rhs[2 * v]).ToArray();
        var x1 = Enumerable.Range(0, nodes).Select(v => rhs[(2 * v) + 1]).ToArray();
        cholesky.Solve(x0, x1, new double[2 * nodes]);
        for (var r = 0; r < 2 * nodes; r++)
        {
            double product = 0;
            for (var c = 0; c < 2 * nodes; c++)
            {
                product += dense[r, c] * (c % 2 == 0 ? x0[c / 2] : x1[c / 2]);
            }

            Assert.Equal(rhs[r], product, 1e-10);
        }
    }

    [Theory]
    [InlineData(40, 0, false)]
    [InlineData(40, 1, false)]
    [InlineData(60, 2, false)]
    [InlineData(60, 3, true)]
    [InlineData(90, 4, true)]
    public void ColumnGeneration_SeededBook_BoundBracketsTheDenseOptimum(int participants, int seed, bool twoBuyersPerSeller)
    {
        var book = twoBuyersPerSeller ? BookGenerator.TwoBuyersPerSeller(participants, seed) : BookGenerator.MostPairsFeasible(participants, seed);
        var dense = new NashBargaining(Spec).Clear(book).Certificate!;
        Assert.True(dense.Certified);

        var result = new NashBargaining(Spec, 0).Clear(book);
        var c = result.Certificate!;

        // Feasible quantities at midpoint prices, and a bound that holds over every pair: the optimum lies between the
        // returned objective and the dual objective, so each must bracket the dense solver's certified interval.
        ClearingInvariants.AssertHold(book, result, Spec);
        Assert.Equal(ClearingMethod.ColumnGeneration, c.Method);
        var slack = 1e-12 * Math.Max(1, Math.Abs(dense.PrimalObjective));
        Assert.True(c.PrimalObjective <= dense.DualObjective + slack, $"primal {c.PrimalObjective} above the optimum's bound {dense.DualObjective}");
        Assert.True(c.DualObjective >= dense.PrimalObjective - slack, $"dual {c.DualObjective} below a feasible objective {dense.PrimalObjective}");
        Assert.Equal(c.RelativeGap <= Spec.SolverRelativeGap, c.Certified);
    }

    [Fact]
    public void ColumnGeneration_ShuffledBook_SameTradesAndCertificate()
    {
        var book = BookGenerator.MostPairsFeasible(50, 4);
        var shuffled = new OrderBook([.. book.Bids.Reverse()], [.. book.Asks.Reverse()], book.EpsilonAud);
        var nash = new NashBargaining(Spec, 0);

        var a = nash.Clear(book);
        var b = nash.Clear(shuffled);

        Assert.Equal(a.Trades, b.Trades);
        Assert.Equal(a.Certificate, b.Certificate);
    }

    [Fact]
    public void ColumnGeneration_NoPairCanTrade_ClosedFormWithZeroGap()
    {
        var book = new OrderBook([new Order("b0", 0.15, 2), new Order("b1", 0.18, 3)], [new Order("s0", 0.20, 4)], 1e-3);

        var c = new NashBargaining(Spec, 0).Clear(book).Certificate!;

        Assert.Equal(ClearingMethod.ClosedForm, c.Method);
        Assert.Equal(0, c.DualityGap);
        Assert.True(c.Certified);
    }
}
