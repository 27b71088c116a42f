namespace V2V.Clearing.Nash;

/// <summary>
/// Turns a solver iterate into the quantities we would return and a certificate that is a true bound on
/// their distance from the optimum, all in original units (kWh, AUD), independent of the solver's scaling.
/// </summary>
/// <remarks>
/// SPEC 4 with u_k = (B q)_k. The Lagrangian of max sum_k log(eps + u_k) s.t. u = B q, A q &lt;= Q, q &gt;= 0,
/// maximised over u (at u_k = 1 / mu_k - eps) and q &gt;= 0, gives the dual function
///   D(mu, lambda) = sum_k (-log mu_k - 1 + eps mu_k) + sum_k lambda_k Q_k,
/// finite iff g_e (mu_i + mu_j) &lt;= lambda_i + lambda_j for every feasible pair e = (i, j), with mu &gt; 0,
/// lambda &gt;= 0. A pair with an order below the minimum trade is not in the program (<see cref="NashProblem.Tradable"/>):
/// SPEC 4 would drop any trade it made. Weak duality: D &gt;= optimum &gt;= P(q) for every feasible q. We take mu_k = 1 / (eps + u_k) at
/// the returned q and lambda from the solver's capacity multipliers, raised (half the deficit at each end) until
/// every pair's constraint holds, then each lowered to the least its pairs allow. Before that, the quantities of bidders with identical prices
/// are concentrated (<see cref="IdenticalPricePurifier"/>), which changes no utility. With that mu, -log mu_k - 1 + eps mu_k = log(eps + u_k) - u_k mu_k exactly, so
///   D - P = sum_k lambda_k Q_k - sum_k mu_k u_k  (= lambda^T s + q^T z &gt;= 0),
/// which we evaluate in that form to avoid cancelling two large sums of logs.
/// The passes over every pair run a buyer's row at a time in SIMD (the dual constraints on
/// <see cref="NashProblem.TradableGain"/>, which needs no test per pair), and Reroute lists each participant's trades once:
/// measured on 2026-12-03 (perf, N = 100 every pair) the evaluation took 6.1 % of a book before, 3.5 % after.
/// </remarks>
internal sealed partial class CertificateEvaluator
{
    // Added to the diagonal of A A^T in Reroute: A A^T is singular along (+1 buyers, -1 sellers) on each connected
    // set of trades, a direction that moves no quantity.
    private const double NullSpaceRidge = 1e-12;

    private readonly NashProblem problem;
    private readonly double minTradeKwh;
    private readonly int nb;
    private readonly int ns;
    private readonly double[] utility;
    private readonly double[] mu;
    private readonly double[] lambda;
    private readonly double[] load;
    private readonly double[] shrink;
    private readonly double[] freed;
    private readonly double[] potential;
    private readonly double[] sellerNeed;
    private readonly IdenticalPricePurifier purifier;
    private double[] candidate;
    private readonly bool roundUp;
    private bool lpDual;
    private double bound = double.PositiveInfinity;
    private double[]? rounded;
    private double[]? startLambda;
    private double[]? pooledCandidate;
    private double[]? pooledLambda;

    /// <param name="roundUp">
    /// Whether an iterate with trades below the minimum is also certified with them raised to it
    /// (<see cref="MinimumTradeRounding"/>); off only to test the dropping path on its own.
    /// </param>
    public CertificateEvaluator(NashProblem problem, double minTradeKwh, bool roundUp = true)
    {
        this.roundUp = roundUp;
        this.problem = problem;
        this.minTradeKwh = minTradeKwh;
        nb = problem.Buyers.Length;
        ns = problem.Sellers.Length;
        utility = new double[nb + ns];
        mu = new double[nb + ns];
        lambda = new double[nb + ns];
        load = new double[nb + ns];
        shrink = new double[nb + ns];
        freed = new double[nb + ns];
        potential = new double[nb + ns];
        sellerNeed = new double[ns];
        candidate = problem.Scratch?.Candidate(nb * ns) ?? new double[nb * ns];
        purifier = new IdenticalPricePurifier(problem, minTradeKwh);
        Best = problem.Scratch?.Best(nb * ns) ?? new double[nb * ns];
        BestCertificate = new ClearingCertificate(0, 0, double.PositiveInfinity, double.PositiveInfinity, 0);
    }

    /// <summary>Quantities (kWh) of the best iterate so far, at [buyer * sellers + seller] in sorted order.</summary>
    public double[] Best { get; private set; }

    public ClearingCertificate BestCertificate { get; private set; }

    /// <summary>
    /// The time budget, read between the phases of an evaluation (each O(pairs), or O(smaller side^3) for the reroute's
    /// factor): an evaluation it interrupts keeps nothing, and <see cref="Best"/> stays the last complete one.
    /// </summary>
    public SolverDeadline Deadline { get; set; }

    /// <summary>
    /// Evaluates the iterate (scaled quantities on the dense solver edges, scaled capacity multipliers) and
    /// keeps it if its gap is the smallest so far. Returns its relative gap.
    /// </summary>
    public double Evaluate(double[]? scaledQuantity, double[]? scaledMultiplier, int iterations)
    {
        Array.Clear(candidate);
        Array.Clear(lambda);
        var belowMinimum = false;
        if (scaledQuantity is not null && scaledMultiplier is not null)
        {
            Unscale(scaledQuantity, scaledMultiplier);
            Deadline.Check();
            purifier.Apply(candidate);
            belowMinimum = roundUp && HasBelowMinimum(candidate);
        }

        if (belowMinimum)
        {
            rounded ??= new double[candidate.Length];
            startLambda ??= new double[lambda.Length];
            candidate.CopyTo(rounded, 0);
            lambda.CopyTo(startLambda, 0);
        }

        MakeFeasible();
        var gap = Consider(Certify(iterations));
        if (belowMinimum && gap > RoundUpAbove)
        {
            // The same iterate with its trades below the minimum raised to it instead of dropped (MinimumTradeRounding).
            rounded!.CopyTo(candidate, 0);
            startLambda!.CopyTo(lambda, 0);
            Deadline.Check();
            MinimumTradeRounding.RoundUp(candidate, nb, ns, problem.CapacityOfSorted, minTradeKwh, load);
            MakeFeasible();
            gap = Math.Min(gap, Consider(Certify(iterations)));
        }

        return gap;
    }

    /// <summary>
    /// The relative gap above which an iterate with trades below the minimum is certified a second time with them raised
    /// (the solver's target: an iterate that passes with them dropped needs no second look, which cost ~3 % of an
    /// N = 100 book, whose interior iterates nearly always hold such trades). 0: always.
    /// </summary>
    public double RoundUpAbove { get; init; }

    /// <summary>
    /// While set, the iterates given to <see cref="Evaluate"/> and <see cref="EvaluateWithLpDual"/> are the pooled
    /// program's (<see cref="IdenticalOrderPools.Pooled"/>, solver layout), expanded to the book before anything else;
    /// the certificate is still the book's own.
    /// </summary>
    public IdenticalOrderPools? Pools { get; set; }

    /// <summary>Whether the best certificate so far took its multipliers from <see cref="LpDual"/>.</summary>
    public bool BestFromLpDual { get; private set; }

    /// <summary>
    /// Evaluates again, with the multipliers of <see cref="LpDual"/> instead of the solver's: the iterate given (scaled
    /// quantities and multipliers, as for <see cref="Evaluate"/>) if any, and the best quantities so far. Returns the
    /// smaller relative gap.
    /// </summary>
    public double EvaluateWithLpDual(double[]? scaledQuantity, double[]? scaledMultiplier, int iterations)
    {
        lpDual = true;
        try
        {
            var gap = double.PositiveInfinity;
            if (double.IsFinite(BestCertificate.DualityGap))
            {
                Deadline.Check();
                Best.CopyTo(candidate, 0);
                gap = Consider(Certify(BestCertificate.Iterations));
            }

            if (scaledQuantity is not null && scaledMultiplier is not null)
            {
                gap = Math.Min(gap, Evaluate(scaledQuantity, scaledMultiplier, iterations));
            }

            return gap;
        }
        finally
        {
            lpDual = false;
        }
    }

    /// <summary>
    /// Certifies the best quantities so far again with the optimal dual of the transportation LP at their mu
    /// (<see cref="TransportationFlow"/>), all in double-double (<see cref="ConsiderPrecise"/>): the tightest capacity
    /// multipliers at these mu, for small books only (the flow costs O(pairs^2 x participants) at worst). Returns the
    /// relative gap.
    /// </summary>
    public double EvaluateWithExactLpDual()
    {
        if (!double.IsFinite(BestCertificate.DualityGap))
        {
            return double.PositiveInfinity;
        }

        Best.CopyTo(candidate, 0);
        return ConsiderPrecise(BestCertificate.Iterations);
    }

    /// <summary>
    /// Certifies quantities found outside the interior point method (kWh, sorted layout [buyer * sellers + seller]): made
    /// feasible as any iterate, then certified in double-double (<see cref="ConsiderPrecise"/>). Returns the relative gap.
    /// </summary>
    public double EvaluatePrecise(ReadOnlySpan<double> quantity, int iterations, double[]? multipliers = null)
    {
        quantity.CopyTo(candidate);
        MakeFeasible();
        return ConsiderPrecise(iterations, multipliers);
    }

    /// <summary>Whether the best certificate's dual objective is the bound given to <see cref="EvaluateWithBound"/>.</summary>
    public bool BestFromBound { get; private set; }

    /// <summary>
    /// Certifies against a bound of the rules' optimum found elsewhere (<see cref="MinimumTradeBranching"/>): the best
    /// certificate so far and the given iterate (scaled quantities on the dense edges, certified with LP-dual multipliers)
    /// each take the smaller of their own dual objective and <paramref name="upperBound"/>, both true bounds, and the
    /// better stands. Returns its relative gap.
    /// </summary>
    public double EvaluateWithBound(double[] scaledQuantity, double upperBound, int iterations)
    {
        if (double.IsFinite(BestCertificate.DualityGap))
        {
            BestCertificate = Bounded(BestCertificate, upperBound);
        }

        bound = upperBound;
        try
        {
            EvaluateWithLpDual(scaledQuantity, new double[problem.ParticipantCount], iterations);
        }
        finally
        {
            bound = double.PositiveInfinity;
        }

        BestFromBound = BestCertificate.DualObjective == upperBound;
        return BestCertificate.RelativeGap;
    }

    private static ClearingCertificate Bounded(ClearingCertificate c, double upperBound)
    {
        var dual = Math.Min(c.DualObjective, upperBound);
        var gap = Math.Max(0, dual - c.PrimalObjective);
        return c with { DualObjective = dual, DualityGap = gap, RelativeGap = gap / Math.Max(1, Math.Abs(c.PrimalObjective)) };
    }

    // Keeps the candidate if its certificate is the best so far; returns its relative gap (infinity if not finite).
    private double Consider(ClearingCertificate cert)
    {
        // A non-finite iterate (a failed Newton step) gives a NaN certificate, which must never replace a finite one:
        // written as !(gap >= best), the test let NaN through, and a book whose only evaluation came after the solver
        // had broken down returned NaN quantities and a NaN certificate (issue 17).
        if (!IsFinite(cert))
        {
            return double.PositiveInfinity;
        }

        cert = double.IsFinite(bound) ? Bounded(cert, bound) : cert;

        if (cert.DualityGap < BestCertificate.DualityGap)
        {
            (Best, candidate) = (candidate, Best);
            BestCertificate = cert;
            BestFromLpDual = lpDual;
        }

        return cert.RelativeGap;
    }

    private bool HasBelowMinimum(double[] q)
    {
        foreach (var x in q)
        {
            if (x > 0 && x < minTradeKwh)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsFinite(ClearingCertificate c) =>
        double.IsFinite(c.PrimalObjective) && double.IsFinite(c.DualObjective) && double.IsFinite(c.DualityGap) && double.IsFinite(c.RelativeGap);

    private void Unscale(double[] q, double[] y)
    {
        if (Pools is not { } pools)
        {
            UnscaleInto(problem, q, y, candidate, lambda);
            return;
        }

        var pooled = pools.Pooled;
        if (pooledCandidate?.Length != pooled.Buyers.Length * pooled.Sellers.Length)
        {
            pooledCandidate = new double[pooled.Buyers.Length * pooled.Sellers.Length];
            pooledLambda = new double[pooled.Buyers.Length + pooled.Sellers.Length];
        }

        UnscaleInto(pooled, q, y, pooledCandidate, pooledLambda!);
        pools.Expand(pooledCandidate, pooledLambda, candidate, lambda);
    }

    // Writes the iterate of the given problem's solver layout into its sorted layout, in original units.
    private static void UnscaleInto(NashProblem problem, double[] q, double[] y, double[] candidate, double[] lambda)
    {
        int nO = problem.OuterCount, nI = problem.InnerCount, nb = problem.Buyers.Length, ns = problem.Sellers.Length;
        var qs = problem.QuantityScale;
        // candidate[b * ns + s] for solver pair (o, i) is at outerStride * sorted(o) + innerStride * sorted(i).
        var (outerStride, innerStride) = problem.OuterIsBuyer ? (ns, 1) : (1, ns);
        var gain = problem.Gain;
        for (var o = 0; o < nO; o++)
        {
            var rowBase = outerStride * problem.OuterToSorted[o];
            var row = o * nI;
            for (var i = 0; i < nI; i++)
            {
                if (gain[row + i] > 0)
                {
                    candidate[rowBase + (innerStride * problem.InnerToSorted[i])] = q[row + i] * qs;
                }
            }
        }

        // The scaled dual constraint g'(pi'_i + pi'_j) <= y_i + y_j maps to original units with lambda = y / Qs.
        for (var k = 0; k < nO + nI; k++)
        {
            lambda[problem.SortedIndex(k)] = Math.Max(0, y[k] / qs);
        }
    }
}
