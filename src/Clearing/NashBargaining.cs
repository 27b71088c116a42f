using System.Diagnostics;
using V2V.Clearing.Nash;
using V2V.Clearing.Nash.LargeBooks;
using V2V.Market.Configuration;
using V2V.Market.Orders;

namespace V2V.Clearing;

/// <summary>
/// Nash bargaining clearing (SPEC 4): quantities maximising sum_k log(eps + u_k) over the participants with a
/// feasible partner, each trade at the pair's midpoint price, solved by a structure-exploiting interior point
/// method and returned with a Lagrange-dual certificate of optimality.
/// </summary>
/// <remarks>
/// Choices where the SPEC leaves room: a pair with b == a is feasible (both count in the objective, with the
/// constant log(eps)) but trades nothing, since there is no surplus to bargain over; the optimal utilities are
/// unique but the quantities are not (identical agents), so participants are sorted by id before solving and
/// the result is bit-identical whatever the order of the book; trades below the minimum are dropped and the
/// certificate is evaluated at the quantities actually returned; where that leaves a small book uncertified because the
/// program's optimum trades below the minimum, the bound becomes the rule's own (<see cref="MinimumTradeBranching"/>). The solver stops as soon as that certificate
/// reaches the configured relative gap (or after the configured number of iterations).
/// </remarks>
public sealed class NashBargaining : IClearingMechanism
{
    private readonly ClearingConfig config;
    private readonly long largeBookPairs;

    public NashBargaining(ClearingConfig config)
        : this(config, long.MaxValue)
    {
    }

    /// <summary>
    /// A solver that clears books of more than <paramref name="largeBookPairs"/> pairs (bids x asks) by column generation
    /// (<see cref="ColumnGeneration"/>). Not on by default: it does not yet certify to 1e-9 (docs/solver.md, "Large
    /// books"); the tests and the probe reach it here.
    /// </summary>
    internal NashBargaining(ClearingConfig config, long largeBookPairs)
    {
        this.config = Validated(config);
        this.largeBookPairs = largeBookPairs;
    }

    public string Name => "nash";

    public ClearingResult Clear(OrderBook book)
    {
        ArgumentNullException.ThrowIfNull(book);
        // The budget covers the whole call, building the problem included (at 10,000 orders that takes seconds).
        var deadline = SolverDeadline.After(config.SolverTimeBudgetSeconds).Timestamp;
        if ((long)book.Bids.Count * book.Asks.Count > largeBookPairs)
        {
            return ClearLarge(book);
        }

        // The memory available is read only for books that could come near it (reading it cost ~1 % of an N = 100 book).
        var needed = EstimatedBytes(book.Bids.Count, book.Asks.Count);
        if (needed > MemoryCheckAboveBytes && GC.GetGCMemoryInfo().TotalAvailableMemoryBytes is var available && needed > available)
        {
            throw new ClearingTooLargeException(
                $"{book.Bids.Count} bids x {book.Asks.Count} asks need about {needed / 1e9:F1} GB for the Nash solver; {available / 1e9:F1} GB is available");
        }

        var problem = NashProblem.Build(book, config.MinTradeKwh, NashScratch.ForThisThread());
        var evaluator = new CertificateEvaluator(problem, config.MinTradeKwh) { RoundUpAbove = config.SolverRelativeGap };
        var method = ClearingMethod.InteriorPoint;
        if (problem.EdgeCount == 0)
        {
            evaluator.Evaluate(null, null, 0);
            method = ClearingMethod.ClosedForm;
        }
        else
        {
            // A large book's identical orders are pooled for the interior point method (IdenticalOrderPools); its
            // iterates are certified on the book itself. The fallbacks below work on the book.
            var pools = problem.EdgeCount >= InteriorPointSolver.LargeEdges ? IdenticalOrderPools.Find(problem, config.MinTradeKwh) : null;
            var interior = InteriorPointSolver.For(pools?.Pooled ?? problem, evaluator);
            evaluator.Pools = pools;
            try
            {
                interior.Run(config.SolverRelativeGap, config.SolverMaxIterations, deadline);
            }
            finally
            {
                evaluator.Pools = null;
            }

            var stalled = interior.StoppedBy == InteriorPointSolver.StopReason.Stalled;
            // The fallback for a small book the interior point method did not certify (LogBarrierSolver).
            if (!(evaluator.BestCertificate.RelativeGap <= config.SolverRelativeGap))
            {
                var primal = evaluator.BestCertificate.PrimalObjective;
                var scale = double.IsFinite(primal) ? Math.Max(1, Math.Abs(primal)) : 1;
                var before = evaluator.BestCertificate.DualityGap;
                if (LogBarrierSolver.Solve(problem, config.SolverRelativeGap, scale, deadline, out var multipliers) is { } barrier)
                {
                    var iterations = evaluator.BestCertificate.Iterations;
                    evaluator.Evaluate(barrier, multipliers, iterations);
                    evaluator.EvaluateWithLpDual(barrier, multipliers, iterations);
                    method = evaluator.BestCertificate.DualityGap < before ? ClearingMethod.LogBarrier : method;
                }
            }

            // The exact finishes (the exact LP dual's multipliers, then active-set Newton) for a book still not certified.
            if (!(evaluator.BestCertificate.RelativeGap <= config.SolverRelativeGap) && double.IsFinite(evaluator.BestCertificate.DualityGap)
                && ActiveSetNewton.Applies(problem, evaluator.BestCertificate, stalled))
            {
                method = FinishExactly(problem, evaluator, new SolverDeadline(deadline), method);
            }

            // The minimum trade's exact bound for a small book whose continuous optimum trades below it (MinimumTradeBranching).
            if (!(evaluator.BestCertificate.RelativeGap <= config.SolverRelativeGap) && config.MinTradeKwh > 0)
            {
                var primal = evaluator.BestCertificate.PrimalObjective;
                var scale = double.IsFinite(primal) ? Math.Max(1, Math.Abs(primal)) : 1;
                if (MinimumTradeBranching.Solve(problem, config.MinTradeKwh, config.SolverRelativeGap, scale, deadline) is { } branched)
                {
                    evaluator.EvaluateWithBound(branched.ScaledQuantity, branched.UpperBound, evaluator.BestCertificate.Iterations);
                    method = evaluator.BestFromBound ? ClearingMethod.MinimumTradeBranch : method;
                }
            }

            if (!double.IsFinite(evaluator.BestCertificate.DualityGap))
            {
                // No iterate gave a finite certificate (every step failed): no trade at all is feasible, and its
                // certificate, a true bound, says how far that is from the optimum; it is not certified.
                evaluator.Evaluate(null, null, evaluator.BestCertificate.Iterations);
            }
        }

        var certificate = evaluator.BestCertificate;
        method = method == ClearingMethod.InteriorPoint && evaluator.BestFromLpDual ? ClearingMethod.InteriorPointLpDual : method;
        certificate = certificate with { Certified = certificate.RelativeGap <= config.SolverRelativeGap, Method = method };
        var quantities = evaluator.Best;
        int nb = problem.Buyers.Length, ns = problem.Sellers.Length;
        var trades = new List<Trade>();

        // Buyer-major over id-sorted sides gives the (buyer id, seller id) ordinal order of the contract.
        for (var b = 0; b < nb; b++)
        {
            for (var s = 0; s < ns; s++)
            {
                var q = quantities[b * ns + s];
                if (q > 0)
                {
                    Order bid = problem.Buyers[b], ask = problem.Sellers[s];
                    trades.Add(new Trade(bid.AgentId, ask.AgentId, (bid.PriceAudPerKwh + ask.PriceAudPerKwh) * 0.5, q));
                }
            }
        }

        return new ClearingResult(trades, certificate);
    }

    // The tightest multipliers at the best quantities' utilities, then Newton's method on the optimality conditions of
    // the active set read off them; each result is kept only if its certificate is better. Within the call's budget: an
    // interrupted finish keeps the best certificate so far.
    private ClearingMethod FinishExactly(NashProblem problem, CertificateEvaluator evaluator, SolverDeadline deadline, ClearingMethod method)
    {
        // Above the small-book limit the transportation LP of the exact certificate costs seconds in double-double (~5 s
        // at N = 200), so there the certificate takes the active set's own multipliers, raised and lowered as the LP's.
        var small = ActiveSetNewton.IsSmall(problem);
        evaluator.Deadline = deadline;
        try
        {
            if (small)
            {
                evaluator.EvaluateWithExactLpDual();
            }

            if (!(evaluator.BestCertificate.RelativeGap <= config.SolverRelativeGap))
            {
                var before = evaluator.BestCertificate.DualityGap;
                if (ActiveSetNewton.Solve(problem, evaluator.Best, deadline, out var multipliers) is { } finished)
                {
                    evaluator.EvaluatePrecise(finished, evaluator.BestCertificate.Iterations, small ? null : multipliers);
                    method = evaluator.BestCertificate.DualityGap < before ? ClearingMethod.ActiveSetNewton : method;
                }
            }
        }
        catch (SolverDeadlineException)
        {
            // The best certificate so far stands, not certified.
        }
        finally
        {
            evaluator.Deadline = SolverDeadline.None;
        }

        return method;
    }

    private ClearingResult ClearLarge(OrderBook book)
    {
        var large = LargeBook.Build(book, config.MinTradeKwh);
        var solver = new ColumnGeneration(large, config.MinTradeKwh);
        var deadline = Stopwatch.GetTimestamp() + (long)Math.Min(config.SolverTimeBudgetSeconds * Stopwatch.Frequency, long.MaxValue / 2);
        solver.Solve(config.SolverRelativeGap, config.SolverMaxIterations, deadline);
        var certificate = solver.BestCertificate;
        certificate = certificate with { Certified = certificate.RelativeGap <= config.SolverRelativeGap };
        var trades = new List<Trade>();
        var ns = large.SellerCount;

        // Pairs ascend by b * sellers + s over id-sorted sides: the (buyer id, seller id) order of the contract.
        for (var e = 0; e < solver.BestPairs.Length; e++)
        {
            var q = solver.BestQuantities[e];
            if (q > 0)
            {
                Order bid = large.Buyers[(int)(solver.BestPairs[e] / ns)], ask = large.Sellers[(int)(solver.BestPairs[e] % ns)];
                trades.Add(new Trade(bid.AgentId, ask.AgentId, (bid.PriceAudPerKwh + ask.PriceAudPerKwh) * 0.5, q));
            }
        }

        return new ClearingResult(trades, certificate);
    }

    private static ClearingConfig Validated(ClearingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!(config.MinTradeKwh >= 0) || !double.IsFinite(config.MinTradeKwh))
        {
            throw new ArgumentException($"clearing.min-trade-kwh: must be a finite number >= 0, got {config.MinTradeKwh}", nameof(config));
        }

        if (!(config.SolverRelativeGap > 0))
        {
            throw new ArgumentException($"clearing.solver-relative-gap: must be > 0, got {config.SolverRelativeGap}", nameof(config));
        }

        if (config.SolverMaxIterations < 1)
        {
            throw new ArgumentException($"clearing.solver-max-iterations: must be >= 1, got {config.SolverMaxIterations}", nameof(config));
        }

        if (!(config.SolverTimeBudgetSeconds > 0))
        {
            throw new ArgumentException($"clearing.solver-time-budget: must be > 0, got {config.SolverTimeBudgetSeconds}", nameof(config));
        }

        return config;
    }

    // Bytes a book needs per (bid, ask) pair: the solver's per-edge arrays (~25 doubles, reused per thread), the
    // problem's and certificate's per-pair arrays (~7), GMRES's Krylov basis (2 x 16 vectors over the edges when
    // refining), with room for the garbage collector. Measured allocation, see NashMemoryTests.
    private const long BytesPerPair = 8 * 80;

    // Books needing less than this are cleared without asking how much memory there is (a 400 x 400 book needs ~100 MB).
    private const double MemoryCheckAboveBytes = 256e6;

    /// <summary>
    /// Memory (bytes) the Nash solver needs for a book of this many bids and asks: per pair, plus the dense Newton
    /// matrices over the smaller side (2 n x 2 n doubles, in double and single precision, and their factor).
    /// </summary>
    public static double EstimatedBytes(int bids, int asks)
    {
        double pairs = (double)bids * asks, smaller = Math.Min(bids, asks);
        return (pairs * BytesPerPair) + (3 * 4 * smaller * smaller * 8);
    }
}
