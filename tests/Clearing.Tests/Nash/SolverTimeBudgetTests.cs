using System.Diagnostics;
using V2V.Benchmarks.Clearing;
using V2V.Clearing;
using V2V.Clearing.Nash;
using V2V.Market.Configuration;
using static V2V.Clearing.Tests.Contract.ContractBooks;

namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// The time budget (clearing.solver-time-budget) bounds the whole Nash call, read inside the solver's long loops
/// (<see cref="SolverDeadline"/>): a book it stops returns feasible trades with an honest, not certified, true bound,
/// never a half-updated iterate. No timing is asserted: the solver-level tests use a deadline that has already passed,
/// so where the run stops does not depend on the machine, and the end-to-end tests assert only what the result says.
/// </summary>
public sealed class SolverTimeBudgetTests
{
    private const double Target = 1e-9;
    private const int MaxIterations = 200;

    [Theory]
    [InlineData(0.001)]
    [InlineData(0.05)]
    public void NashBargaining_ThousandOrdersTinyBudget_FeasibleTradesAndAnHonestUncertifiedBound(double budgetSeconds)
    {
        // 1,000 orders take seconds even optimised; the tests run unoptimised, so no budget here can be enough.
        var book = BookGenerator.TwoBuyersPerSeller(1000, 0);
        var config = Config(ClearingMechanisms.NashName) with { SolverTimeBudgetSeconds = budgetSeconds, SolverMaxIterations = MaxIterations };

        var result = new NashBargaining(config).Clear(book);

        var c = result.Certificate!;
        Assert.False(c.Certified, $"certified within {budgetSeconds} s: {c}");
        Assert.True(c.RelativeGap > config.SolverRelativeGap, $"gap {c.RelativeGap:E2} at the target, yet not certified");
        Assert.True(c.Iterations < MaxIterations, $"{c.Iterations} iterations: the iteration budget, not the time budget, stopped it");
        // The trades are the last complete iterate's, or none where even its evaluation did not fit the grace. Capacities, minimum trade, midpoint prices, finite numbers, and the certificate's gap never below the gap to
        // the tests' own dual bound: the returned bound is true.
        NashBookChecks.AssertSound(book, result, config);
    }

    [Fact]
    public void InteriorPointSolver_DeadlinePassedBeforeTheFirstStep_StopsByTimeBudgetWithoutAHalfEvaluatedIterate()
    {
        // A deadline already passed stops the first step at its first read, inside the iteration, and leaves no grace
        // (a share of a budget of 0) for evaluating the start: nothing complete, so no certificate at all.
        var (quantities, certificate, solver) = Solve(BookGenerator.TwoBuyersPerSeller(200, 1), MaxIterations, Stopwatch.GetTimestamp());

        Assert.Equal(InteriorPointSolver.StopReason.TimeBudget, solver.StoppedBy);
        Assert.Equal(0, certificate.Iterations);
        Assert.False(double.IsFinite(certificate.DualityGap), $"certificate {certificate}");
        Assert.All(quantities, q => Assert.Equal(0, q));
    }

    [Fact]
    public void NashBargaining_BudgetGoneBeforeAnyEvaluation_NoTradeAndItsTrueBoundNotCertified()
    {
        var book = BookGenerator.MostPairsFeasible(100, 3);
        var config = Config(ClearingMechanisms.NashName) with { SolverTimeBudgetSeconds = 1e-12 };

        var result = new NashBargaining(config).Clear(book);

        // A 1e-12 s budget has passed before the first step; the fallback is no trade, certified against its true bound.
        Assert.Empty(result.Trades);
        Assert.False(result.Certificate!.Certified);
        Assert.True(result.Certificate.RelativeGap > config.SolverRelativeGap);
        NashBookChecks.AssertSound(book, result, config);
    }

    [Fact]
    public void InteriorPointSolver_NoDeadline_SameResultAsADistantOneAndStopsAtTheTarget()
    {
        var book = BookGenerator.MostPairsFeasible(100, 2);

        var (quantities, certificate, solver) = Solve(book, MaxIterations, long.MaxValue);
        var (budgeted, budgetedCertificate, budgetedSolver) = Solve(book, MaxIterations, Stopwatch.GetTimestamp() + (3600 * Stopwatch.Frequency));

        Assert.Equal(InteriorPointSolver.StopReason.Target, solver.StoppedBy);
        Assert.Equal(InteriorPointSolver.StopReason.Target, budgetedSolver.StoppedBy);
        Assert.True(certificate.RelativeGap <= Target);
        Assert.Equal(quantities, budgeted);
        Assert.Equal(certificate, budgetedCertificate);
    }

    [Fact]
    public void InteriorPointSolver_TwoIterationsAllowed_StopsByTheIterationBudget()
    {
        var (_, certificate, solver) = Solve(BookGenerator.MostPairsFeasible(100, 2), 2, long.MaxValue);

        Assert.Equal(InteriorPointSolver.StopReason.Iterations, solver.StoppedBy);
        Assert.Equal(2, certificate.Iterations);
        Assert.True(certificate.RelativeGap > Target);
    }

    [Fact]
    public void CertificateEvaluator_DeadlinePassedDuringAnEvaluation_KeepsTheLastCompleteBest()
    {
        var book = BookGenerator.MostPairsFeasible(100, 0);
        var problem = NashProblem.Build(book, 1e-6);
        var later = new CertificateEvaluator(problem, 1e-6);
        InteriorPointSolver.For(problem, later).Run(Target, 4);
        var iterate = ScaledOf(problem, later.Best);
        var multipliers = new double[problem.ParticipantCount];
        // Each evaluator first holds the start; evaluated completely, the later iterate replaces it.
        var (control, evaluator) = (new CertificateEvaluator(problem, 1e-6), new CertificateEvaluator(problem, 1e-6));
        InteriorPointSolver.For(problem, control).Run(Target, 0);
        InteriorPointSolver.For(problem, evaluator).Run(Target, 0);
        var start = (double[])evaluator.Best.Clone();
        var startCertificate = evaluator.BestCertificate;
        control.Evaluate(iterate, multipliers, 4);
        Assert.True(control.BestCertificate.DualityGap < startCertificate.DualityGap, "the later iterate is no better: the test shows nothing");

        evaluator.Deadline = new SolverDeadline(Stopwatch.GetTimestamp());
        Assert.Throws<SolverDeadlineException>(() => evaluator.Evaluate(iterate, multipliers, 4));

        Assert.Equal(start, evaluator.Best);
        Assert.Equal(startCertificate, evaluator.BestCertificate);
    }

    [Fact]
    public void DenseCholeskyAndPackedGram_DeadlinePassed_StopWithTheBudgetsException()
    {
        var passed = new SolverDeadline(Stopwatch.GetTimestamp());
        var matrix = new double[16];
        for (var k = 0; k < 4; k++)
        {
            matrix[k * 5] = 1;
        }

        Assert.Throws<SolverDeadlineException>(() => DenseCholesky.Factor<double>(matrix, 4, passed));
        Assert.Throws<SolverDeadlineException>(() => PackedGram<double>.NegatedLower(new double[PackedGram<double>.PaddedRows(4) * 2], 2, 4, new double[16], passed));
        // No deadline and a distant one never stop them.
        Assert.Equal(0, DenseCholesky.Factor<double>(matrix, 4, SolverDeadline.None));
        Assert.False(SolverDeadline.After(3600).Passed);
    }

    // Quantities (kWh, sorted buyer-major layout) in the solver's scaled dense layout, as the evaluator reads an iterate.
    private static double[] ScaledOf(NashProblem problem, double[] kwh)
    {
        var scaled = new double[problem.Gain.Length];
        var ns = problem.Sellers.Length;
        var (outerStride, innerStride) = problem.OuterIsBuyer ? (ns, 1) : (1, ns);
        for (var o = 0; o < problem.OuterCount; o++)
        {
            for (var i = 0; i < problem.InnerCount; i++)
            {
                scaled[o * problem.InnerCount + i] = kwh[outerStride * problem.OuterToSorted[o] + innerStride * problem.InnerToSorted[i]] / problem.QuantityScale;
            }
        }

        return scaled;
    }

    private static (double[] Quantities, ClearingCertificate Certificate, InteriorPointSolver Solver) Solve(
        Market.Orders.OrderBook book, int iterations, long deadline)
    {
        var problem = NashProblem.Build(book, 1e-6);
        var evaluator = new CertificateEvaluator(problem, 1e-6);
        var solver = InteriorPointSolver.For(problem, evaluator);
        solver.Run(Target, iterations, InteriorPointSolver.SupportPhase.Default, deadline);
        return ((double[])evaluator.Best.Clone(), evaluator.BestCertificate, solver);
    }
}
