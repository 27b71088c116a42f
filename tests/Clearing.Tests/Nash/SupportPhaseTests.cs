using V2V.Benchmarks.Clearing;
using V2V.Clearing;
using V2V.Clearing.Nash;
using V2V.Market.Orders;

namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// The interior point method's support phase (InteriorPointSolver.SupportPhase): compressed edge rows, the kernels
/// and the Newton system on them, the sparse block Cholesky factorisation, and the phase itself, including its
/// fallback to the full program.
/// </summary>
public sealed class SupportPhaseTests
{
    private const double Target = 1e-9;
    private const int MaxIterations = 200;

    [Fact]
    public void EdgeRows_Compress_ListsTheKeptSlotsRowByRowAndRefusesASecondCompression()
    {
        var rows = new EdgeRows(2, 3);
        Assert.True(rows.Dense);
        Assert.Equal(6, rows.Count);
        Assert.Equal(2, rows.Inner(1, 5));

        // Kept: (0, 1), (1, 0), (1, 2).
        rows.Compress([false, true, false, true, false, true]);

        Assert.False(rows.Dense);
        Assert.Equal(3, rows.Count);
        Assert.Equal([1], rows.ColumnsOf(0).ToArray());
        Assert.Equal([0, 2], rows.ColumnsOf(1).ToArray());
        Assert.Equal((0, 1), (rows.RowStart(0), rows.RowLength(0)));
        Assert.Equal((1, 2), (rows.RowStart(1), rows.RowLength(1)));
        Assert.Equal([1, 3, 5], Enumerable.Range(0, 3).Select(rows.DenseSlot).ToArray());
        Assert.Equal(2, rows.Inner(1, 2));
        var error = Assert.Throws<InvalidOperationException>(() => rows.Compress(new bool[6]));
        Assert.Contains("already compressed", error.Message);

        rows.MakeDense();
        Assert.Equal(6, rows.Count);
    }

    [Fact]
    public void SparseBlockCholesky_RandomGraphsWithFill_SolvesLikeTheDenseFactorisation()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 20; trial++)
        {
            var nodes = random.Next(2, 30);
            var from = new List<int>();
            var to = new List<int>();
            for (var a = 0; a < nodes; a++)
            {
                for (var b = 0; b < a; b++)
                {
                    if (random.NextDouble() < 0.2)
                    {
                        from.Add(a);
                        to.Add(b);
                    }
                }
            }

            var (d11, d21, d22) = (new double[nodes], new double[nodes], new double[nodes]);
            var weight = from.Select(_ => random.NextDouble() * 3).ToArray();
            var gain = from.Select(_ => random.NextDouble() * 2 - 0.5).ToArray();
            var dense = new double[4 * nodes * nodes];
            // K = a positive definite block diagonal plus, per edge, w (e_a + e_b)(e_a + e_b)^T (x) v v^T with v = (g, 1),
            // the shape of the Newton matrix: positive definite.
            for (var k = 0; k < nodes; k++)
            {
                d11[k] = 1 + random.NextDouble();
                d22[k] = 1 + random.NextDouble();
                d21[k] = 0.5 * random.NextDouble();
            }

            for (var e = 0; e < from.Count; e++)
            {
                double w = weight[e], g = gain[e];
                foreach (var k in new[] { from[e], to[e] })
                {
                    d11[k] += w * g * g;
                    d21[k] += w * g;
                    d22[k] += w;
                }
            }

            for (var k = 0; k < nodes; k++)
            {
                Put(dense, nodes, k, k, d11[k], d21[k], d21[k], d22[k]);
            }

            for (var e = 0; e < from.Count; e++)
            {
                double w = weight[e], g = gain[e];
                Put(dense, nodes, from[e], to[e], w * g * g, w * g, w * g, w);
                Put(dense, nodes, to[e], from[e], w * g * g, w * g, w * g, w);
            }

            // An ordering whose work would pass a budget gives up; one within it lays out L as without a budget.
            var factor = new SparseBlockCholesky(nodes);
            Assert.True(factor.Analyse(from.ToArray(), to.ToArray()));
            var work = factor.FactorWork;
            Assert.False(factor.Analyse(from.ToArray(), to.ToArray(), workBudget: work - 1));
            Assert.True(factor.Analyse(from.ToArray(), to.ToArray(), workBudget: work));
            Assert.Equal(work, factor.FactorWork);
            Assert.True(factor.Slots >= from.Count);
            factor.Begin(d11, d21, d22);
            for (var e = 0; e < from.Count; e++)
            {
                factor.AddEdge(from[e], to[e], weight[e], gain[e]);
            }

            Assert.Equal(0, factor.Factor());
            var b0 = Enumerable.Range(0, nodes).Select(_ => random.NextDouble() - 0.5).ToArray();
            var b1 = Enumerable.Range(0, nodes).Select(_ => random.NextDouble() - 0.5).ToArray();
            var (x0, x1) = (b0.ToArray(), b1.ToArray());
            factor.Solve(x0, x1);

            var expected = new double[2 * nodes];
            for (var k = 0; k < nodes; k++)
            {
                (expected[2 * k], expected[2 * k + 1]) = (b0[k], b1[k]);
            }

            DenseCholesky.Factor(dense, 2 * nodes);
            DenseCholesky.Solve(dense, 2 * nodes, expected);
            for (var k = 0; k < nodes; k++)
            {
                Assert.Equal(expected[2 * k], x0[k], 1e-10);
                Assert.Equal(expected[2 * k + 1], x1[k], 1e-10);
            }
        }
    }

    [Fact]
    public void NewtonSystem_CompressedRows_SolveAsTheDenseLayoutWithTheDroppedWeightsAtZero()
    {
        // Dropping an edge is the same as giving it weight 0 in the dense layout: the compressed rows, factored
        // sparsely, must give the dense layout's steps (Schur complement and dense Cholesky).
        const int nO = 7, nI = 5, m = nO * nI, n = nO + nI;
        var random = new Random(11);
        var keep = Enumerable.Range(0, m).Select(_ => random.NextDouble() < 0.3).ToArray();
        var g = Enumerable.Range(0, m).Select(_ => 0.1 + random.NextDouble()).ToArray();
        var w = Enumerable.Range(0, m).Select(e => keep[e] ? 0.01 + random.NextDouble() * 100 : 0).ToArray();
        var r1 = Enumerable.Range(0, m).Select(e => keep[e] ? random.NextDouble() - 0.5 : 0).ToArray();
        var pi = Enumerable.Range(0, n).Select(_ => 0.5 + random.NextDouble()).ToArray();
        var theta = Enumerable.Range(0, n).Select(_ => 0.01 + random.NextDouble()).ToArray();
        var r2 = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();

        var denseRows = new EdgeRows(nO, nI);
        var dense = new NewtonSystem(denseRows);
        dense.Factor(g, w, pi, theta);
        var (dt, dy, dq) = (new double[n], new double[n], new double[m]);
        dense.Solve(g, w, r1, r2, dt, dy, dq);

        var rows = new EdgeRows(nO, nI);
        rows.Compress(keep);
        var (gc, wc, r1c) = (new double[m], new double[m], new double[m]);
        for (var e = 0; e < rows.Count; e++)
        {
            var slot = rows.DenseSlot(e);
            (gc[e], wc[e], r1c[e]) = (g[slot], w[slot], r1[slot]);
        }

        var compressed = new NewtonSystem(rows);
        compressed.Reshape(evenIfDearer: true);
        compressed.Factor(gc, wc, pi, theta);
        var (dtc, dyc, dqc) = (new double[n], new double[n], new double[m]);
        compressed.Solve(gc, wc, r1c, r2, dtc, dyc, dqc);

        for (var k = 0; k < n; k++)
        {
            Assert.Equal(dt[k], dtc[k], 1e-9);
            Assert.Equal(dy[k], dyc[k], 1e-9);
        }

        for (var e = 0; e < rows.Count; e++)
        {
            Assert.Equal(dq[rows.DenseSlot(e)], dqc[e], 1e-9);
        }
    }

    [Fact]
    public void NewtonSystem_CompressedRowsWithSupportPhaseWeights_SolvesTheExactEquations()
    {
        // The support phase caps q/z at 1e7 instead of 3e4 (InteriorPointSolver.MaxSupportEdgeWeight) because K, factored
        // sparsely, stays accurate there: weights spanning 1e-3..1e7 and slack ratios down to 1e-9 (as near the optimum)
        // must still give steps that satisfy the Newton equations dt = Pi^2 B dq and A dq - Theta dy = r2. Measured: worst
        // residual 2.7e-9 of the terms' size here; the dense layout's Schur complement, given every pair with such
        // weights, reached 1.7e-4.
        const int nO = 9, nI = 6, m = nO * nI, n = nO + nI;
        var random = new Random(23);
        for (var trial = 0; trial < 10; trial++)
        {
            var keep = Enumerable.Range(0, m).Select(_ => random.NextDouble() < 0.35).ToArray();
            var rows = new EdgeRows(nO, nI);
            rows.Compress(keep);
            var g = Enumerable.Range(0, rows.Count).Select(_ => 0.1 + random.NextDouble()).ToArray();
            var w = Enumerable.Range(0, rows.Count).Select(_ => Math.Pow(10, -3 + 10 * random.NextDouble())).ToArray();
            var r1 = Enumerable.Range(0, rows.Count).Select(_ => random.NextDouble() - 0.5).ToArray();
            var pi = Enumerable.Range(0, n).Select(_ => 0.5 + random.NextDouble()).ToArray();
            var theta = Enumerable.Range(0, n).Select(_ => Math.Pow(10, -9 + 9 * random.NextDouble())).ToArray();
            var r2 = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();

            var system = new NewtonSystem(rows);
            system.Reshape(evenIfDearer: true);
            system.Factor(g, w, pi, theta);
            var (dt, dy, dq) = (new double[n], new double[n], new double[m]);
            system.Solve(g, w, r1, r2, dt, dy, dq);

            var (utility, load, scale) = (new double[n], new double[n], new double[n]);
            for (var e = 0; e < rows.Count; e++)
            {
                var slot = rows.DenseSlot(e);
                foreach (var k in new[] { slot / nI, nO + (slot % nI) })
                {
                    utility[k] += g[e] * dq[e];
                    load[k] += dq[e];
                    scale[k] += Math.Abs(dq[e]);
                }
            }

            for (var k = 0; k < n; k++)
            {
                var utilityResidual = dt[k] - (pi[k] * pi[k] * utility[k]);
                var loadResidual = load[k] - (theta[k] * dy[k]) - r2[k];
                var size = 1 + scale[k] + Math.Abs(dt[k]) + Math.Abs(theta[k] * dy[k]);
                Assert.True(Math.Abs(utilityResidual) <= 1e-7 * size, $"trial {trial}, participant {k}: dt residual {utilityResidual:E2}");
                Assert.True(Math.Abs(loadResidual) <= 1e-7 * size, $"trial {trial}, participant {k}: load residual {loadResidual:E2}");
            }
        }
    }

    [Fact]
    public void IndexedRowKernels_MatchTheContiguousKernelsOnTheDenseRow()
    {
        // A compressed row of slots (inner 1, 4, 6) against the dense row where the other slots are no edge.
        int[] columns = [1, 4, 6];
        const int nI = 8;
        var random = new Random(3);
        double[] Values(int count) => Enumerable.Range(0, count).Select(_ => 0.1 + random.NextDouble()).ToArray();
        double[] Spread(double[] slots)
        {
            var row = new double[nI];
            for (var l = 0; l < columns.Length; l++)
            {
                row[columns[l]] = slots[l];
            }

            return row;
        }

        double[] g = Values(3), q = Values(3), z = Values(3), x = Values(3), edge = [1, 1, 1];
        double[] yInner = Values(nI), piInner = Values(nI), colB = Values(nI), colY = Values(nI);

        var (rd, invQ, zOverQ, invD) = (new double[3], new double[3], new double[3], new double[3]);
        var compressed = StepKernels.IterationRow(edge, g, q, z, 0.3, 0.7, yInner, piInner, 0.5, rd, invQ, zOverQ, invD, columns);
        var (rdD, invQD, zOverQD, invDD) = (new double[nI], new double[nI], new double[nI], new double[nI]);
        var contiguous = StepKernels.IterationRow(
            Spread(edge), Spread(g), Spread(q), Spread(z), 0.3, 0.7, yInner, piInner, 0.5, rdD, invQD, zOverQD, invDD);
        Assert.Equal(contiguous.Capped, compressed.Capped);
        Assert.Equal(contiguous.Complementarity, compressed.Complementarity, 1e-14);
        Assert.Equal(rdD, Spread(rd));
        Assert.Equal(invQD, Spread(invQ));
        Assert.Equal(zOverQD, Spread(zOverQ));
        Assert.Equal(invDD, Spread(invD));

        var (sums, sumsD) = (new double[nI], new double[nI]);
        Assert.Equal(EdgeKernels.RowSum(Spread(x), sumsD), EdgeKernels.RowSum(x, sums, columns), 1e-14);
        Assert.Equal(EdgeKernels.ProductRowSum(Spread(g), Spread(x), sumsD), EdgeKernels.ProductRowSum(g, x, sums, columns), 1e-14);
        Assert.Equal(sumsD, sums);

        var (b11, b12, b22) = (new double[nI], new double[nI], new double[nI]);
        var (b11D, b12D, b22D) = (new double[nI], new double[nI], new double[nI]);
        var blocks = EdgeKernels.BlockSums(z, g, b11, b12, b22, columns);
        var blocksD = EdgeKernels.BlockSums(Spread(z), Spread(g), b11D, b12D, b22D);
        Assert.Equal(blocksD.S11, blocks.S11, 1e-14);
        Assert.Equal(blocksD.S12, blocks.S12, 1e-14);
        Assert.Equal(blocksD.S22, blocks.S22, 1e-14);
        Assert.Equal(b11D, b11);
        Assert.Equal(b12D, b12);
        Assert.Equal(b22D, b22);

        // By hand for inner 4 (slot 1): w g^2, w g, w.
        Assert.Equal(z[1] * g[1] * g[1], b11[4], 1e-15);
        Assert.Equal(z[1] * g[1], b12[4], 1e-15);
        Assert.Equal(z[1], b22[4]);

        var (result, resultD) = (new double[3], new double[nI]);
        EdgeKernels.OperatorRow(edge, g, z, x, 0.2, -0.4, colB, colY, result, columns);
        EdgeKernels.OperatorRow(Spread(edge), Spread(g), Spread(z), Spread(x), 0.2, -0.4, colB, colY, resultD);
        Assert.Equal(resultD, Spread(result));
    }

    [Fact]
    public void SupportPhase_SeededEveryPairBooks_StartsKeepsFewEdgesAndCertifiesTheSameOptimum()
    {
        for (var seed = 0; seed < 5; seed++)
        {
            var book = BookGenerator.AllPairsFeasible(100, seed);
            var (withPhase, solver, problem) = Solve(book, InteriorPointSolver.SupportPhase.Default);
            Assert.True(withPhase.RelativeGap <= Target, $"seed {seed}: {withPhase.RelativeGap:E3}");
            Assert.InRange(solver.SupportEdges, 1, problem.EdgeCount / 2);
            Assert.False(solver.Restored, $"seed {seed} fell back to the full program");

            var (without, solverOff, _) = Solve(book, InteriorPointSolver.SupportPhase.Off);
            Assert.True(without.RelativeGap <= Target);
            Assert.Equal(0, solverOff.SupportEdges);

            // Both are within their certified gaps of the one optimum.
            var tolerance = withPhase.DualityGap + without.DualityGap;
            Assert.True(Math.Abs(withPhase.PrimalObjective - without.PrimalObjective) <= tolerance, $"seed {seed}");
        }
    }

    [Fact]
    public void SupportPhase_DroppingPairsThatMustTrade_FallsBackToTheFullProgramAndStillCertifies()
    {
        // Started at a complementarity of 1e-2 of the objective and keeping only pairs with q >= 10 z, the compressed
        // program misses pairs that trade at the optimum (measured: 70-109 of 2,500 edges kept, every one of these five
        // books fell back, 21-28 iterations against 10-15); the certificate stalls and the full program resumes.
        var early = new InteriorPointSolver.SupportPhase(At: 1e-2, Ratio: 10, MaxShare: 1, Stall: 1e-3);
        var restored = 0;
        for (var seed = 0; seed < 5; seed++)
        {
            var (certificate, solver, _) = Solve(BookGenerator.AllPairsFeasible(100, seed), early);
            Assert.True(certificate.RelativeGap <= Target, $"seed {seed}: {certificate.RelativeGap:E3}");
            Assert.True(solver.SupportEdges > 0);
            restored += solver.Restored ? 1 : 0;
        }

        Assert.True(restored > 0, "no book fell back: the test no longer exercises the fallback");
    }

    [Fact]
    public void SupportPhase_ThousandOrderBookMissingOnePair_PricesItBackInAndCertifiesWithoutTheFullProgram()
    {
        // Seed 2 of the 1,000-order two-buyers-per-seller book: the phase starts (at 1e-4, a large book) on ~12,000 of
        // its ~222,000 pairs and its restricted optimum misses one pair of the book's. Before Reprice the certificate
        // stalled and the run went back to dense iterations from the saved iterate; now that pair, priced at the stalled
        // iterate's multipliers (g (pi_o + pi_i) > y_o + y_i), joins the kept set, and the phase certifies.
        var book = BookGenerator.TwoBuyersPerSeller(1000, 2);
        var problem = NashProblem.Build(book, 1e-6);
        var evaluator = new CertificateEvaluator(problem, 1e-6);
        var solver = InteriorPointSolver.For(problem, evaluator);
        solver.Run(Target, MaxIterations);

        Assert.True(evaluator.BestCertificate.RelativeGap <= Target, $"{evaluator.BestCertificate.RelativeGap:E3}");
        Assert.Equal(1, solver.SupportReprices);
        Assert.False(solver.Restored);
        Assert.InRange(solver.SupportEdges, 1, problem.EdgeCount / 10);
    }

    private static (ClearingCertificate Certificate, InteriorPointSolver Solver, NashProblem Problem) Solve(
        OrderBook book, InteriorPointSolver.SupportPhase support)
    {
        var problem = NashProblem.Build(book, 1e-6);
        var evaluator = new CertificateEvaluator(problem, 1e-6);
        var solver = InteriorPointSolver.For(problem, evaluator);
        solver.Run(Target, MaxIterations, support);
        return (evaluator.BestCertificate, solver, problem);
    }

    private static void Put(double[] dense, int nodes, int row, int col, double b00, double b01, double b10, double b11)
    {
        var dim = 2 * nodes;
        dense[(2 * row) * dim + 2 * col] += b00;
        dense[(2 * row) * dim + 2 * col + 1] += b01;
        dense[(2 * row + 1) * dim + 2 * col] += b10;
        dense[(2 * row + 1) * dim + 2 * col + 1] += b11;
    }
}
