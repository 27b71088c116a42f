namespace V2V.Clearing.Nash;

/// <summary>
/// Primal-dual interior point method (Mehrotra predictor-corrector) for the scaled SPEC 4 program
///   min phi(q) = -sum_k log(eps + (B q)_k)  s.t.  A q + s = Q,  q &gt;= 0,  s &gt;= 0,
/// with KKT conditions grad phi + A^T y - z = 0, A q + s = Q, q z = tau, s y = tau. The Hessian of phi is
/// B^T diag(pi^2) B with pi_k = 1 / (eps + u_k); <see cref="NewtonSystem"/> solves the Newton system.
/// The start is primal feasible (and dual feasible), and primal steps keep A q + s = Q. The primal variables (q, s
/// and the multipliers y) and the dual slacks z take separate step lengths (see MaxStep).
/// Iterates near the target are handed to the <see cref="CertificateEvaluator"/>, which says when the true duality
/// gap of the quantities we would return has reached it; the solver stops there.
/// </summary>
internal sealed partial class InteriorPointSolver
{
    // Fraction of the step to the boundary; it approaches 1 as the barrier parameter shrinks, which speeds
    // the last iterations without letting iterates touch the boundary.
    internal const double MinStepFraction = 0.99;
    internal const double MaxStepFraction = 0.99999;

    // A corrector step shorter than this means the iterate is jammed against the boundary (see Step).
    internal const double JammedStep = 1e-2;

    // Cap on q/z (scaled units) in the Newton matrix: a regularised, inexact Newton step. Uncapped, the ratio of
    // an active edge grows like 1/mu and the block elimination in NewtonSystem loses all accuracy once it passes
    // ~1e6 (measured: iterative-refinement residuals grew instead of shrinking); the stall left 1e-6 relative gaps
    // at N = 100. Residuals are still evaluated exactly, so the iterates converge, only more slowly at the end.
    // Measured on seeded random books (cap -> worst relative gap at N = 20 / 100): none -> 2e-7 / 2e-6,
    // 1e8 -> 2e-7 / 2e-6, 1e6 -> 8e-10 / 1e-6, 1e4 -> 7e-10 / 1e-8, 1e3 -> 3e-10 / 2.5e-8. Now that the capped
    // matrix only preconditions the exact solve (SolveRefined), 1e4 is still the best cap (40 N = 100 books, every
    // pair feasible): 1e2 -> all <= 1e-9 but 3.5x slower, 1e4 -> all <= 1e-9, 1e6 -> slower and 1 of 10 N = 200
    // books stalls, 1e8 -> most stall at ~1e-6 (the factorisation is then too poor even as a preconditioner).
    // Re-measured after the separate step lengths, the halved start multipliers and the product floor (mean iterations
    // and Newton solves per sweep, 40 N = 100 every-pair / most-pairs / simulation-like books, 4 every-pair and 4
    // most-pairs N = 500, 10 simulation-like N = 200): 1e4 -> 10.90 / 11.00 / 11.95 / 19.75 / 20.0 / 15.6 iterations,
    // 2164 / 2237 / 2524 / 1197 / 1428 / 1395 solves; 3e4 -> 10.90 / 11.20 / 11.70 / 18.25 / 20.25 / 14.5, 1974 / 2049 /
    // 2281 / 673 / 1137 / 1005 (fewer GMRES steps); 5e4 -> more iterations at N = 100. N = 500 probe medians over 8
    // books: 290-312 -> 204-220 ms; N = 100: no measurable difference. Every book still certified.
    private const double MaxEdgeWeight = 3e4;

    // The cap in the support phase, whose K is factored sparsely (SparseBlockCholesky) rather than through the dense
    // Schur complement's block elimination, and stays accurate with larger q/z: fewer weights are capped, so fewer GMRES
    // steps. Measured on 2026-12-03 (seeded sweeps, mean iterations; N = 100 every pair / most pairs, N = 50, N = 200
    // most pairs / every pair, N = 500): 3e4 11.17 / 11.08 / 9.50 / 13.65 / 12.2-14.2 / 15.75; 1e7 10.91 / 10.85 / 9.51
    // / 12.85 / 12.20 / 15.00; 1e8 and 3e8 the same within 0.05; 1e6 18.25 at N = 500 every pair (16.75 with 3e4); 1e12
    // left 3 of 40 N = 100 books uncertified. Per support-phase iteration (N = 100 every pair, Stopwatch): 6.3 -> 4.3
    // Newton solves and 52-58 -> 42 us; every book certified. Simulation-like books never start the phase.
    private const double MaxSupportEdgeWeight = 1e7;

    // See Compress. Measured on 2026-12-03 (perf, N = 100): ordering the kept edges after every iteration took 2.9 % of
    // a simulation-like book (whose kept edges never factor cheaply) and the support phase's search 4.4 % in all; with
    // this rule 0.9 % and 2.0 %. Mean iterations (seeded sweeps) with it: N = 100 every pair 10.85, most pairs 10.78,
    // N = 200 12.6, N = 50 9.40 (without retrying at all, as before: 10.91, 10.85, 12.85, 9.51).
    private const double RetryShrink = 0.75;

    // The certificate is evaluated once the complementarity is within this factor of the target gap. The certified
    // gap of the returned quantities is at least about the complementarity, so a wider window only evaluates iterates
    // that cannot pass: measured on seeded books (N = 20-500, all three kinds), 10, 2, 1 and 0.5 all stop at the same
    // iteration, and 1 instead of 10 saved ~3 % per N = 100 book (6 alternated probe runs, median 1.82 vs 1.89 ms).
    private const double EvaluateWithin = 1;

    // Before each step, every edge's dual slack z is raised, if need be, until q z >= this fraction of mu. An edge whose
    // q and z are both near 0 but whose product has collapsed far below mu (measured: q = 2e-7, z = 6e-11 at
    // mu = 3.4e-9) has a large q/z, so the Newton system treats it as trading and its step dq (-4.5e-4) blocks every
    // primal step at once; that book took 17 iterations. z appears only in the dual residual, which each iteration
    // recomputes, so the raise only adds dual infeasibility that the following steps remove. Measured on the seeded sweep
    // (mean iterations; N = 100 all pairs / most pairs / simulation-like, N = 500, N = 20, N = 50, N = 200,
    // simulation-like N = 30): none 11.60 / 11.65 / 12.45 / 20.5 / 7.90 / 9.72 / 14.55 / 8.25; 1e-3 11.47 / 11.57 /
    // 12.35 / 20.75 / 7.87 / 9.75 / 14.20 / 8.18; 0.1 11.22 / 11.43 / 12.25 / 21.0 / 7.93 / 9.65 / 13.95 / 8.10;
    // 0.3 10.90 / 11.00 / 11.95 / 19.75 / 8.01 / 9.38 / 13.60 / 8.30; 0.5 10.82 / 10.97 / 11.90 / 19.0 / 8.18 / 9.60 /
    // 13.50 / 8.70; 1 worse everywhere. The same floor on s y (raising y) left books uncertified.
    internal const double ProductFloor = 0.3;

    // Iterations allowed on the full program once the complementarity is below Stall x the target without a certificate.
    // Measured on issue 17's near-degenerate books: a certificate that has not passed within 5 such iterations never did
    // (the iterate no longer moves), and ~60 iterations later a Newton solve broke down into NaN.
    private const int StallIterations = 5;

    // Rounds of pricing dropped pairs back into a stalled support phase (Reprice) before the full program resumes.
    private const int MaxReprices = 4;

    // A run stopped by the time budget has its last complete iterate evaluated within this fraction of the budget left
    // when the run started, past the deadline. One evaluation is O(pairs), but O(participants x trades^2) in the reroute
    // of an interior iterate: at 5,000 orders, stopped after 3 iterations, the uninterrupted tail ran ~50 s past the
    // budget (the start's evaluation took 0.5 s). If it does not finish, the best certificate so far stands, or no trade
    // with its bound, so the call ends within about 1.25 x the budget plus building the trade list.
    private const double FinalEvaluationGrace = 0.25;

    // GMRES restart length and the most restarted cycles per Newton solve. One cycle of 16 suffices at N <= 200;
    // the near-degenerate N = 500 books need up to ~40 steps (measured: restart 16 without further cycles left
    // 2 of 6 N = 500 books at 1e-8).
    private const int KrylovSteps = 16;
    private const int KrylovCycles = 4;

    // Inexact Newton: the refinement stops at a relative residual of 1e-2 mu, within [1e-12, 1e-6]. Measured
    // against a fixed 1e-12: half the GMRES steps, every book still certified (1e-4 mu, up to 1e-4: one N = 50
    // book of 50 stalled at 7e-8).
    internal const double KrylovToleranceOverMu = 1e-2;
    internal const double MinKrylovTolerance = 1e-12;
    internal const double MaxKrylovTolerance = 1e-6;

    // Gondzio's multiple centrality correctors (see CentralityCorrector): at most this many per iteration, each
    // aiming at a step CorrectorTrialFactor times longer, with the complementarity products pulled into
    // [BetaMin, BetaMax] x the centring target, and kept only if it lengthens the step by MinCorrectorGain. Measured
    // on 64 seeded N = 50-100 books: 0 -> 18.1 / 18.5 / 19.5 / 15.0 mean iterations (all pairs / most pairs /
    // simulation-like N = 100, most pairs N = 50), 2 -> 14.9 / 15.2 / 15.8 / 12.3, 4 -> 14.6 / 14.3 / 15.1 / 12.0;
    // trial factors 1.2 and 2 and the box [0.3, 3] were no better.
    private const int MaxCentralityCorrectors = 2;
    private const double CorrectorTrialFactor = 1.5;
    private const double BetaMin = 0.1;
    private const double BetaMax = 10;
    private const double MinCorrectorGain = 0.01;

    // The start puts this fraction of each edge's even share of the smaller capacity on the edge. Measured on 184
    // seeded books N = 10-200 (mean iterations, all pairs / most pairs / simulation-like N = 100): 0.25 -> 15.9 /
    // 16.4 / 17.0, 0.5 -> 15.1 / 15.4 / 15.5, 0.9 -> 14.9 / 14.6 / 15.2, 0.99 -> 14.9 / 14.6 / 15.1.
    internal const double StartShare = 0.9;

    // The start's capacity multipliers exceed half their largest need by this (scaled units; see Start).
    private const double StartMultiplier = 1;

    // While mu is at least this (scaled units) and no q/z is capped, the Schur complement is built and factored in single
    // precision (NewtonSystem.Factor): the early steps need no accurate direction, because every iteration recomputes its
    // residuals exactly and the primal step keeps A q + s = Q by construction (SlackStep). At N = 100 every pair
    // feasible that is the first ~4 of the ~8 dense iterations; their Gram product took 13-15 instead of 24-27 us and the
    // Cholesky factorisation 14-20 instead of 17-23 us. Measured (seeded sweeps, mean iterations; probe medians over 8
    // books, alternated, N = 100 every pair): off 11.07 / 10.95 / 11.55 (every pair / most pairs / simulation-like) and
    // 1.275-1.321 ms; 1e-3 11.07 / 10.93 / 11.55 and 1.192-1.247 ms; 1e-4 11.18 / 10.90 / 11.62 and 1.191-1.243 ms,
    // but 1e-4 took one simulation-like book from 11 to 13 iterations (1.0 -> 1.5-1.8 ms); 1e-5 12.03 simulation-like.
    // Every book certified in each case.
    private const double SingleAboveMu = 1e-3;

    // Solvers are reused per thread for books of the same shape (most of a solve's allocations otherwise), up to
    // this many edges (a solver holds ~75 arrays of that length).
    private const int MaxCachedEdges = 1 << 14;

    [ThreadStatic]
    private static InteriorPointSolver? cached;

    private NashProblem p = null!;
    private CertificateEvaluator evaluator = null!;
    private readonly EdgeRows rows;
    private readonly NewtonSystem newton;
    private readonly int nO;
    private readonly int nI;
    private readonly int n;
    private double[] g = [];
    private double[] cap = [];
    private readonly double[] q;
    private readonly double[] z;
    private readonly double[] invD;
    private readonly double[] invQ;
    private readonly double[] edge;
    private readonly double[] zOverQ;
    private readonly double[] rd;
    private readonly double[] r1;
    private double[] dq;
    private double[] dz;
    private readonly double[] dqAff;
    private readonly double[] dzAff;
    private readonly double[] s;
    private readonly double[] y;
    private readonly double[] u;
    private readonly double[] pi;
    private readonly double[] theta;
    private readonly double[] rp;
    private readonly double[] r2;
    private double[] ds;
    private double[] dy;
    private readonly double[] dt;
    private readonly double[] dsAff;
    private readonly double[] dyAff;
    private double[] cq;
    private double[] cz;
    private double[] cs;
    private double[] cy;
    private readonly double[] rc1;
    private readonly double[] rc2;
    private readonly KrylovRefinement krylov;
    private KrylovRefinement.State krylovState = null!;
    private readonly bool[] keep;
    private readonly double[] compactGain;
    private readonly double[] denseQ;
    private readonly double[] savedQ;
    private readonly double[] savedZ;
    private readonly double[] savedS;
    private readonly double[] savedY;
    private bool capped;
    private int rejectedKept;
    private double krylovTolerance;
    private SolverDeadline deadline;
    private int evaluatedIteration;

    private InteriorPointSolver(int outerCount, int innerCount)
    {
        nO = outerCount;
        nI = innerCount;
        n = nO + nI;
        var m = nO * nI;
        rows = new EdgeRows(nO, nI);
        newton = new NewtonSystem(rows);
        q = new double[m];
        z = new double[m];
        invD = new double[m];
        invQ = new double[m];
        zOverQ = new double[m];
        rd = new double[m];
        r1 = new double[m];
        dq = new double[m];
        dz = new double[m];
        dqAff = new double[m];
        cq = new double[m];
        cz = new double[m];
        rc1 = new double[m];
        cs = new double[n];
        cy = new double[n];
        rc2 = new double[n];
        dzAff = new double[m];
        s = new double[n];
        y = new double[n];
        u = new double[n];
        pi = new double[n];
        theta = new double[n];
        rp = new double[n];
        r2 = new double[n];
        ds = new double[n];
        dy = new double[n];
        dt = new double[n];
        dsAff = new double[n];
        dyAff = new double[n];
        krylov = new KrylovRefinement(rows, KrylovSteps);
        edge = new double[m];
        keep = new bool[m];
        compactGain = new double[m];
        denseQ = new double[m];
        savedQ = new double[m];
        savedZ = new double[m];
        savedS = new double[n];
        savedY = new double[n];
    }

    /// <summary>A solver for the problem, reporting to the evaluator (this thread's cached one if it has the shape).</summary>
    public static InteriorPointSolver For(NashProblem problem, CertificateEvaluator evaluator)
    {
        int nO = problem.OuterCount, nI = problem.InnerCount;
        var solver = cached is { } c && c.nO == nO && c.nI == nI ? c : new InteriorPointSolver(nO, nI);
        if (nO * nI <= MaxCachedEdges)
        {
            cached = solver;
        }

        solver.p = problem;
        solver.evaluator = evaluator;
        solver.cap = problem.Capacity;
        solver.UseDenseRows();
        return solver;
    }

    // Every pair of the book in the dense layout (o * nI + i; the edge mask is 0 where the pair is not in the program).
    private void UseDenseRows()
    {
        rows.MakeDense();
        newton.Reshape();
        g = p.Gain;
        for (var e = 0; e < edge.Length; e++)
        {
            edge[e] = g[e] > 0 ? 1 : 0;
        }

        krylovState = new KrylovRefinement.State(newton, g, edge, invD, zOverQ, theta, pi, p.Weight);
    }

    /// <summary>Runs with the support phase for the book's size (<see cref="SupportPhase.For"/>).</summary>
    public int Run(double targetRelativeGap, int maxIterations) => Run(targetRelativeGap, maxIterations, SupportPhase.For(p.EdgeCount));

    /// <summary>Runs with the support phase for the book's size until the target, the iteration budget or the deadline.</summary>
    public int Run(double targetRelativeGap, int maxIterations, long deadlineTimestamp) =>
        Run(targetRelativeGap, maxIterations, SupportPhase.For(p.EdgeCount), deadlineTimestamp);

    /// <summary>Runs with no deadline.</summary>
    public int Run(double targetRelativeGap, int maxIterations, SupportPhase support) =>
        Run(targetRelativeGap, maxIterations, support, long.MaxValue);

    /// <summary>Runs until the certificate's relative gap is at most the target; returns the iteration count.</summary>
    /// <remarks>
    /// The certificate costs several passes over the book, so it is evaluated only once the iterate's own
    /// complementarity (q^T z + s^T y, which the certified gap of a nearly dual-feasible iterate is at least)
    /// is within <see cref="EvaluateWithin"/> of the target, and always on the last iterate (on the start only when no
    /// iteration is allowed: evaluating it cost ~2 % of an N = 100 book, 8 alternated probe runs, and it never passes).
    /// </remarks>
    /// <param name="deadlineTimestamp">
    /// <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> at which the run stops (the time budget, the one clock in
    /// clearing): read between iterations and inside the loops of an iteration and of a certificate
    /// (<see cref="SolverDeadline"/>). A run it stops, between iterations or inside an iteration or an evaluation, drops
    /// the unfinished work and evaluates its last complete iterate (unless that was done) within a grace past the budget
    /// (FinalEvaluationGrace); if that does not finish either, the best certificate so far stands. Either way the result
    /// holds feasible trades (or none) and a true bound, and is not certified unless a certificate passed.
    /// </param>
    public int Run(double targetRelativeGap, int maxIterations, SupportPhase support, long deadlineTimestamp)
    {
        SupportEdges = 0;
        Restored = false;
        SupportReprices = 0;
        SingleIterations = 0;
        StoppedBy = StopReason.Target;
        rejectedKept = int.MaxValue;
        deadline = new SolverDeadline(deadlineTimestamp == long.MaxValue ? 0 : deadlineTimestamp);
        newton.Deadline = deadline;
        krylov.Deadline = deadline;
        evaluator.Deadline = deadline;
        var iteration = 0;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        evaluatedIteration = -1;
        try
        {
            Iterate(targetRelativeGap, maxIterations, support, deadlineTimestamp, ref iteration);
        }
        catch (SolverDeadlineException)
        {
            StoppedBy = StopReason.TimeBudget;
        }
        finally
        {
            deadline = SolverDeadline.None;
            newton.Deadline = SolverDeadline.None;
            krylov.Deadline = SolverDeadline.None;
            evaluator.Deadline = SolverDeadline.None;
        }

        // q, s and y change only at the end of a complete step (Step), so they are the last complete iterate here; unless
        // an evaluation of it was complete, it is evaluated within a grace of FinalEvaluationGrace x the run's budget.
        if (StoppedBy == StopReason.TimeBudget && evaluatedIteration != iteration && deadlineTimestamp != long.MaxValue)
        {
            evaluator.Deadline = new SolverDeadline(deadlineTimestamp + (long)(FinalEvaluationGrace * Math.Max(0, deadlineTimestamp - started)));
            try
            {
                Utilities();
                evaluator.Evaluate(Quantities(), y, iteration);
            }
            catch (SolverDeadlineException)
            {
                // The best certificate so far stands; without any, the caller returns no trade and its true bound.
            }
            finally
            {
                evaluator.Deadline = SolverDeadline.None;
            }
        }

        return iteration;
    }

    /// <summary>Why the last run stopped.</summary>
    public StopReason StoppedBy { get; private set; }

    /// <summary>Why a run stopped: the target reached, or the budget or the progress that ended it without.</summary>
    internal enum StopReason
    {
        /// <summary>The certificate reached the target (or no iteration was allowed).</summary>
        Target,

        /// <summary>The iteration budget (clearing.solver-max-iterations) ran out.</summary>
        Iterations,

        /// <summary>The time budget (clearing.solver-time-budget) ran out, between iterations or inside one.</summary>
        TimeBudget,

        /// <summary>The iterate converged (or a step failed) without a certificate reaching the target.</summary>
        Stalled,
    }

    private void Iterate(double targetRelativeGap, int maxIterations, SupportPhase support, long deadlineTimestamp, ref int iteration)
    {
        Start();
        Utilities();
        if (maxIterations <= 0)
        {
            evaluator.Evaluate(Quantities(), y, 0);
            evaluatedIteration = 0;
            return;
        }

        // The start always leaves capacity unused (StartShare < 1), so it is never optimal and is not certified.
        var scale = Math.Max(1, Math.Abs(p.Objective(pi)));
        var gap = double.PositiveInfinity;
        var supportStarted = false;
        var stalled = 0;
        while (gap > targetRelativeGap && iteration < maxIterations)
        {
            var moved = Step() && double.IsFinite(Complementarity());
            iteration++;
            if (!moved && !rows.Dense)
            {
                Restore();
                Utilities();
                continue;
            }

            if (moved && !supportStarted && Complementarity() <= support.At * scale)
            {
                supportStarted = Compress(support);
            }

            Utilities();
            var outOfTime = System.Diagnostics.Stopwatch.GetTimestamp() >= deadlineTimestamp;
            var last = iteration == maxIterations || outOfTime;
            if (!moved || last || Complementarity() <= EvaluateWithin * targetRelativeGap * scale)
            {
                gap = evaluator.Evaluate(Quantities(), y, iteration);
                evaluatedIteration = iteration;
            }

            if (!moved || last)
            {
                StoppedBy = gap <= targetRelativeGap ? StopReason.Target
                    : outOfTime ? StopReason.TimeBudget
                    : moved ? StopReason.Iterations : StopReason.Stalled;
                break;
            }

            if (gap > targetRelativeGap && Complementarity() <= support.Stall * targetRelativeGap * scale)
            {
                // The iterate has converged but its certificate has not passed. On the full program the gap is not the
                // iterate's (a trade of the optimum below the minimum, which the returned quantities cannot hold), and
                // further iterations only lose accuracy until a Newton solve breaks down: the caller decides what to do
                // with an uncertified result. In the support phase the certificate may still be catching up with the
                // iterate (N = 2,000: 7e-9 at a complementarity of 4e-14, 8e-13 one iteration later), or a dropped pair
                // was needed: then it is priced back in (Reprice), or the full program resumes.
                if (++stalled < StallIterations)
                {
                    continue;
                }

                if (rows.Dense)
                {
                    StoppedBy = StopReason.Stalled;
                    break;
                }

                stalled = 0;
                if (!Reprice())
                {
                    Restore();
                }

                Utilities();
            }
        }

        // Not certified: the solver's multipliers may have drifted while the quantities converged (issue 17's books),
        // so certify the last iterate and the best one with multipliers from the quantities alone.
        if (gap > targetRelativeGap && iteration > 0)
        {
            StoppedBy = StoppedBy == StopReason.Target ? StopReason.Iterations : StoppedBy;
            evaluator.EvaluateWithLpDual(Quantities(), y, iteration);
        }
    }


    /// <summary>Edges kept when the last run's support phase started; 0 if it did not start.</summary>
    public int SupportEdges { get; private set; }

    /// <summary>Iterations of the last run whose Newton matrix was factored in single precision (SingleAboveMu).</summary>
    public int SingleIterations { get; private set; }

    /// <summary>Whether the last run abandoned its support phase and finished on the full program.</summary>
    public bool Restored { get; private set; }

    /// <summary>Times the last run's support phase started again with dropped pairs priced back in (Reprice).</summary>
    public int SupportReprices { get; private set; }

    private double Complementarity() => DenseCholesky.Dot(Edges(q), Edges(z)) + DenseCholesky.Dot(s, y);

    // The stored edge slots of a per-edge array.
    private Span<double> Edges(double[] perEdge) => perEdge.AsSpan(0, rows.Count);

    // The quantities on the dense layout, which the certificate reads.
    private double[] Quantities()
    {
        if (rows.Dense)
        {
            return q;
        }

        Array.Clear(denseQ);
        for (var e = 0; e < rows.Count; e++)
        {
            denseQ[rows.DenseSlot(e)] = q[e];
        }

        return denseQ;
    }

    // A strictly feasible primal point (StartShare of each capacity shared evenly over the edges) and a dual point
    // y_k = StartMultiplier + half the largest need g_e (pi_i + pi_j) over k's edges, so that every
    // z_e = y_i + y_j - g_e (pi_i + pi_j) >= 2 StartMultiplier and the start is dual feasible too. Each end covering
    // half of a pair's need puts y nearer the optimum's, where y_i + y_j = g_e (pi_i + pi_j) on trading pairs, than
    // each covering all of it (y_k = max(1, largest need), as before 2026-12-03). Measured on the seeded sweep (mean
    // iterations, N = 100 all pairs / most pairs / simulation-like, N = 500, N = 20): whole needs 12.28 / 12.30 / 12.80
    // / 21.0 / 8.17, halves plus 1 11.60 / 11.65 / 12.45 / 20.5 / 7.90 (plus 0.7, 1.5, 2: within 0.3 of those; plus 3
    // and 0.6 of the need plus 1: worse); every book certified.
    private void Start()
    {
        // The loops below keep the outer participant's running count and maximum in locals (through memory, each pair
        // waited for the previous pair's store), and the per-pair rows are SIMD: measured (perf, N = 100 every pair), the
        // start took 2.0 % of a book before, 1.0 % now.
        var degree = new int[n];
        for (var o = 0; o < nO; o++)
        {
            var count = 0;
            for (var i = 0; i < nI; i++)
            {
                if (g[o * nI + i] > 0)
                {
                    count++;
                    degree[nO + i]++;
                }
            }

            degree[o] = count;
        }

        // Each participant's even share of its capacity (s holds them until the loop below has used them).
        var share = s;
        for (var k = 0; k < n; k++)
        {
            share[k] = degree[k] > 0 ? cap[k] / degree[k] : 0;
        }

        for (var o = 0; o < nO; o++)
        {
            StepKernels.StartQuantities(g.AsSpan(o * nI, nI), share[o], share.AsSpan(nO, nI), StartShare, q.AsSpan(o * nI, nI));
        }

        Array.Clear(s);
        for (var o = 0; o < nO; o++)
        {
            s[o] = EdgeKernels.RowSum(q.AsSpan(o * nI, nI), s.AsSpan(nO, nI));
        }

        for (var k = 0; k < n; k++)
        {
            s[k] = cap[k] - s[k];
            y[k] = 0;
        }

        Utilities();
        for (var o = 0; o < nO; o++)
        {
            var most = 0.0;
            for (var i = 0; i < nI; i++)
            {
                var need = g[o * nI + i] * (pi[o] + pi[nO + i]);
                most = need > most ? need : most;
                y[nO + i] = need > y[nO + i] ? need : y[nO + i];
            }

            y[o] = most;
        }

        for (var k = 0; k < n; k++)
        {
            y[k] = StartMultiplier + (y[k] / 2);
        }

        for (var o = 0; o < nO; o++)
        {
            StepKernels.StartSlacks(g.AsSpan(o * nI, nI), y[o], pi[o], y.AsSpan(nO, nI), pi.AsSpan(nO, nI), z.AsSpan(o * nI, nI));
        }
    }

    private void Utilities()
    {
        Array.Clear(u);
        var inner = u.AsSpan(nO, nI);
        for (var o = 0; o < nO; o++)
        {
            int row = rows.RowStart(o), length = rows.RowLength(o);
            u[o] = EdgeKernels.ProductRowSum(g.AsSpan(row, length), q.AsSpan(row, length), inner, rows.ColumnsOf(o));
        }

        if (p.Weight is { } weight)
        {
            // A pooled program (IdenticalOrderPools): the gradient of m log(m eps + U) is m / (m eps + U).
            for (var k = 0; k < n; k++)
            {
                pi[k] = weight[k] / (p.ScaledEpsilonOf(k) + u[k]);
            }

            return;
        }

        var eps = p.ScaledEpsilon;
        for (var k = 0; k < n; k++)
        {
            pi[k] = 1.0 / (eps + u[k]);
        }
    }
}
