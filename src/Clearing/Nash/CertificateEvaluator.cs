using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

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
internal sealed class CertificateEvaluator
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
    private bool exactLp;
    private double bound = double.PositiveInfinity;
    private double[]? rounded;
    private double[]? startLambda;

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
    /// (<see cref="TransportationFlow"/>, then <see cref="LpDual"/> on its flow): the tightest capacity multipliers at
    /// these mu, for small books only (the flow costs O(pairs^2 x participants) at worst). Returns the relative gap.
    /// </summary>
    public double EvaluateWithExactLpDual()
    {
        if (!double.IsFinite(BestCertificate.DualityGap))
        {
            return double.PositiveInfinity;
        }

        exactLp = true;
        try
        {
            return EvaluateWithLpDual(null, null, BestCertificate.Iterations);
        }
        finally
        {
            exactLp = false;
        }
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
        int nO = problem.OuterCount, nI = problem.InnerCount;
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
            var sorted = k < nO ? problem.OuterToSorted[k] : problem.InnerToSorted[k - nO];
            var isBuyer = (k < nO) == problem.OuterIsBuyer;
            lambda[isBuyer ? sorted : nb + sorted] = Math.Max(0, y[k] / qs);
        }
    }

    // SPEC 4: trades below the minimum are dropped, and the capacity they held is given back (Reroute, then Fill);
    // rounding may leave a capacity exceeded by a few ulps, so shrink each participant's trades until every
    // capacity holds exactly in floating point.
    private void MakeFeasible()
    {
        Array.Clear(freed);
        for (var b = 0; b < nb; b++)
        {
            freed[b] = DropBelow(candidate.AsSpan(b * ns, ns), freed.AsSpan(nb, ns), minTradeKwh);
        }

        if (freed.AsSpan().ContainsAnyExcept(0.0))
        {
            Reroute();
        }

        Fill();
        for (var pass = 0; pass < 8; pass++)
        {
            Loads();
            var violated = false;
            for (var k = 0; k < nb + ns; k++)
            {
                var cap = problem.CapacityOfSorted(k);
                shrink[k] = 1;
                if (load[k] > cap)
                {
                    violated = true;
                    shrink[k] = pass == 0 ? cap / load[k] : (cap / load[k]) * (1 - (1 << pass) * 1e-16);
                }
            }

            if (!violated)
            {
                break;
            }

            for (var b = 0; b < nb; b++)
            {
                for (var s = 0; s < ns; s++)
                {
                    var e = b * ns + s;
                    var f = Math.Min(shrink[b], shrink[nb + s]);
                    candidate[e] = f < 1 ? candidate[e] * f : candidate[e];
                    if (candidate[e] < minTradeKwh)
                    {
                        candidate[e] = 0;
                    }
                }
            }
        }
    }

    // Dropping in-transit trades frees capacity at participants whose capacity binds at the optimum; left unused it
    // lowers their utility and forces lambda up in Certify, a gap of order (freed kWh) x lambda. Any feasible q is a
    // valid primal point, so give the slack back along the trades that remain: each in (buyer, seller) order takes
    // what both ends still have free. The shrink passes after this absorb any rounding above a capacity.
    private void Fill()
    {
        Loads();
        for (var b = 0; b < nb; b++)
        {
            for (var s = 0; s < ns; s++)
            {
                var e = b * ns + s;
                if (candidate[e] <= 0)
                {
                    continue;
                }

                var add = Math.Min(problem.CapacityOfSorted(b) - load[b], problem.CapacityOfSorted(nb + s) - load[nb + s]);
                if (add > 0)
                {
                    candidate[e] += add;
                    load[b] += add;
                    load[nb + s] += add;
                }
            }
        }
    }

    // The dropped trades freed capacity f at both their ends, and where a capacity binds at the optimum, f left unused
    // costs ~lambda_k f_k of certificate (Fill cannot use it when the other ends of that participant's trades bind).
    // Move quantity along the remaining trades so every participant gets it back: the least-change flow
    // delta = A^T x with (A A^T) x = f, A the incidence of the remaining trades (a tiny ridge on the diagonal for the
    // bipartite null space), scaled down if it would take a trade below the minimum. To first order this recovers
    // sum_k lambda_k f_k. Measured (seeded books, mean iterations to 1e-9): all pairs N = 100 14.53 -> 13.80, most
    // pairs 14.53 -> 13.85, simulation-like 15.07 -> 14.43, most pairs N = 20 9.18 -> 9.03, N = 500 28 -> 26. Factoring
    // A A^T densely (n x n) cost about what the saved iterations gave back at N = 100; through the smaller side's
    // Schur complement it is ~1.5 % faster per book than no reroute (6 alternated probe runs, median 1.89 vs 1.92 ms).
    private void Reroute()
    {
        // A A^T = [Db M; M^T Ds] (Db, Ds the trade counts plus the ridge, M the buyer x seller incidence of the
        // trades): the larger side, diagonal, is eliminated, and the smaller side's Schur complement
        // S = Dk - M^T De^-1 M (dense, lower triangle) is factored; with ~5 trades per participant near the optimum
        // it costs O(participants x trades^2 + smaller side^3).
        var keepSellers = ns <= nb;
        int nk = keepSellers ? ns : nb, ne = keepSellers ? nb : ns;
        int kBase = keepSellers ? nb : 0, eBase = keepSellers ? 0 : nb;
        var schur = ArrayPool<double>.Shared.Rent(nk * nk);
        var rhs = potential.AsSpan(kBase, nk);
        Array.Clear(schur, 0, nk * nk);
        freed.AsSpan(kBase, nk).CopyTo(rhs);
        for (var k = 0; k < nk; k++)
        {
            schur[k * nk + k] = NullSpaceRidge;
        }

        // Each eliminated participant's partners, listed once (starts[e] .. starts[e + 1] in partners).
        var starts = ArrayPool<int>.Shared.Rent(ne + 1);
        var partners = ArrayPool<int>.Shared.Rent(nb * ns);
        starts[0] = 0;
        for (var e = 0; e < ne; e++)
        {
            starts[e + 1] = starts[e] + Partners(e, keepSellers, partners.AsSpan(starts[e]));
        }

        for (var e = 0; e < ne; e++)
        {
            var count = starts[e + 1] - starts[e];
            var mine = partners.AsSpan(starts[e], count);
            var pivot = count + NullSpaceRidge;
            var share = freed[eBase + e] / pivot;
            for (var a = 0; a < count; a++)
            {
                var ka = mine[a];
                schur[ka * nk + ka] += 1 - 1 / pivot;
                rhs[ka] -= share;
                for (var c = 0; c < a; c++)
                {
                    schur[ka * nk + mine[c]] -= 1 / pivot;
                }
            }
        }

        DenseCholesky.Factor(schur.AsSpan(0, nk * nk), nk);
        DenseCholesky.Solve(schur.AsSpan(0, nk * nk), nk, rhs);
        for (var e = 0; e < ne; e++)
        {
            var count = starts[e + 1] - starts[e];
            var sum = 0.0;
            foreach (var k in partners.AsSpan(starts[e], count))
            {
                sum += rhs[k];
            }

            potential[eBase + e] = (freed[eBase + e] - sum) / (count + NullSpaceRidge);
        }

        ArrayPool<double>.Shared.Return(schur);
        ArrayPool<int>.Shared.Return(partners);
        ArrayPool<int>.Shared.Return(starts);
        foreach (var x in potential)
        {
            if (!double.IsFinite(x))
            {
                return;
            }
        }

        var t = 1.0;
        var sellerPotential = potential.AsSpan(nb, ns);
        for (var b = 0; b < nb; b++)
        {
            t = RerouteLimit(candidate.AsSpan(b * ns, ns), potential[b], sellerPotential, minTradeKwh, t);
        }

        if (!(t > 0))
        {
            return;
        }

        for (var b = 0; b < nb; b++)
        {
            RerouteRow(candidate.AsSpan(b * ns, ns), potential[b], sellerPotential, t);
        }
    }

    // Sets the entries of row below the minimum to 0, adding them to column (the sellers' freed capacity); returns
    // their sum.
    private static double DropBelow(Span<double> row, Span<double> column, double minimum)
    {
        var w = Vector<double>.Count;
        var vmin = new Vector<double>(minimum);
        ref var r0 = ref MemoryMarshal.GetReference(row);
        ref var c0 = ref MemoryMarshal.GetReference(column);
        Vector<double> dropped = default;
        var i = 0;
        for (; i <= row.Length - w; i += w)
        {
            var q = Vector.LoadUnsafe(ref r0, (nuint)i);
            var below = Vector.LessThan(q, vmin);
            var d = Vector.ConditionalSelect(below, q, Vector<double>.Zero);
            dropped += d;
            (Vector.LoadUnsafe(ref c0, (nuint)i) + d).StoreUnsafe(ref c0, (nuint)i);
            Vector.ConditionalSelect(below, Vector<double>.Zero, q).StoreUnsafe(ref r0, (nuint)i);
        }

        var sum = Vector.Sum(dropped);
        for (; i < row.Length; i++)
        {
            if (row[i] < minimum)
            {
                sum += row[i];
                column[i] += row[i];
                row[i] = 0;
            }
        }

        return sum;
    }

    // The largest t <= limit keeping every trade of the row (buyer potential pb, sellers' potentials ps) at or above the
    // minimum: q + t (pb + ps) >= minimum for q > 0. Blocks where t = limit keeps every trade there cost no division.
    private static double RerouteLimit(ReadOnlySpan<double> row, double pb, ReadOnlySpan<double> ps, double minimum, double limit)
    {
        var w = Vector<double>.Count;
        var t = limit;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref var r0 = ref MemoryMarshal.GetReference(row);
            ref var p0 = ref MemoryMarshal.GetReference(ps);
            Vector<double> vpb = new(pb), vmin = new(minimum);
            for (; i <= row.Length - w; i += w)
            {
                var q = Vector.LoadUnsafe(ref r0, (nuint)i);
                var d = vpb + Vector.LoadUnsafe(ref p0, (nuint)i);
                var hit = Vector.GreaterThan(q, Vector<double>.Zero) & Vector.LessThan(q + d, vmin);
                if (Vector.EqualsAll(hit, Vector<long>.Zero))
                {
                    continue;
                }

                for (var l = i; l < i + w; l++)
                {
                    t = Limit(row[l], pb + ps[l], minimum, t);
                }
            }
        }

        for (; i < row.Length; i++)
        {
            t = Limit(row[i], pb + ps[i], minimum, t);
        }

        return t;

        static double Limit(double q, double d, double minimum, double t) =>
            q > 0 && q + d < minimum ? Math.Min(t, (q - minimum) / -d) : t;
    }

    // q += t (pb + ps) for the trades (q > 0) of the row.
    private static void RerouteRow(Span<double> row, double pb, ReadOnlySpan<double> ps, double t)
    {
        var w = Vector<double>.Count;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref var r0 = ref MemoryMarshal.GetReference(row);
            ref var p0 = ref MemoryMarshal.GetReference(ps);
            Vector<double> vpb = new(pb), vt = new(t);
            for (; i <= row.Length - w; i += w)
            {
                var q = Vector.LoadUnsafe(ref r0, (nuint)i);
                var moved = q + (vt * (vpb + Vector.LoadUnsafe(ref p0, (nuint)i)));
                Vector.ConditionalSelect(Vector.GreaterThan(q, Vector<double>.Zero), moved, q).StoreUnsafe(ref r0, (nuint)i);
            }
        }

        for (; i < row.Length; i++)
        {
            if (row[i] > 0)
            {
                row[i] += t * (pb + ps[i]);
            }
        }
    }

    // The kept-side indices (ascending) of the trades of eliminated participant e; returns how many.
    private int Partners(int e, bool keepSellers, Span<int> partners)
    {
        var count = 0;
        if (keepSellers)
        {
            for (var s = 0; s < ns; s++)
            {
                if (candidate[e * ns + s] > 0)
                {
                    partners[count++] = s;
                }
            }
        }
        else
        {
            for (var b = 0; b < nb; b++)
            {
                if (candidate[b * ns + e] > 0)
                {
                    partners[count++] = b;
                }
            }
        }

        return count;
    }

    private void Loads()
    {
        Array.Clear(load);
        for (var b = 0; b < nb; b++)
        {
            load[b] = EdgeKernels.RowSum(candidate.AsSpan(b * ns, ns), load.AsSpan(nb, ns));
        }
    }

    // Lowers each lambda to the least value its constraints allow given the others (buyers, then sellers against the
    // lowered buyers), which keeps every constraint and can only lower D. The raise above fixes one pair at a time, so
    // it leaves many participants above what all their pairs need; near the optimum that excess was most of the
    // certified gap (the lambda_i + lambda_j - g (mu_i + mu_j) of trading pairs: measured on an every-pair N = 100
    // book, 1.9e-9 of a 2.0e-9 relative gap whose iterate had a complementarity of 2.8e-10). A second pass lowered
    // nothing further on the books measured.
    private void Tighten()
    {
        // Pairs outside the program have gain 0 in TradableGain: their terms are -lambda <= 0 and never raise a need
        // above its start at 0, so every pair can be swept (a participant without a tradable pair drops to 0).
        var gain = problem.TradableGain;
        Array.Clear(sellerNeed);
        var sellerMu = mu.AsSpan(nb, ns);
        var sellerLambda = lambda.AsSpan(nb, ns);
        for (var b = 0; b < nb; b++)
        {
            var row = gain.AsSpan(b * ns, ns);
            var need = Math.Max(0, LargestNeed(row, mu[b], sellerMu, sellerLambda));
            var lowered = lambda[b] = Math.Min(lambda[b], need);
            RaiseNeeds(row, mu[b], sellerMu, lowered, sellerNeed);
        }

        for (var s = 0; s < ns; s++)
        {
            lambda[nb + s] = Math.Min(lambda[nb + s], sellerNeed[s]);
        }
    }

    // max over the row of g (mu_b + mu_s) - lambda_s (-infinity for an empty row).
    private static double LargestNeed(ReadOnlySpan<double> g, double muB, ReadOnlySpan<double> muS, ReadOnlySpan<double> lambdaS)
    {
        var w = Vector<double>.Count;
        var most = double.NegativeInfinity;
        var i = 0;
        if (Vector.IsHardwareAccelerated && g.Length >= w)
        {
            ref var g0 = ref MemoryMarshal.GetReference(g);
            ref var m0 = ref MemoryMarshal.GetReference(muS);
            ref var l0 = ref MemoryMarshal.GetReference(lambdaS);
            var vmu = new Vector<double>(muB);
            var best = new Vector<double>(double.NegativeInfinity);
            for (; i <= g.Length - w; i += w)
            {
                var term = (Vector.LoadUnsafe(ref g0, (nuint)i) * (vmu + Vector.LoadUnsafe(ref m0, (nuint)i))) - Vector.LoadUnsafe(ref l0, (nuint)i);
                best = Vector.Max(best, term);
            }

            for (var l = 0; l < w; l++)
            {
                most = Math.Max(most, best[l]);
            }
        }

        for (; i < g.Length; i++)
        {
            most = Math.Max(most, (g[i] * (muB + muS[i])) - lambdaS[i]);
        }

        return most;
    }

    // need_s = max(need_s, g (mu_b + mu_s) - lambdaB) over the row.
    private static void RaiseNeeds(ReadOnlySpan<double> g, double muB, ReadOnlySpan<double> muS, double lambdaB, Span<double> need)
    {
        var w = Vector<double>.Count;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref var g0 = ref MemoryMarshal.GetReference(g);
            ref var m0 = ref MemoryMarshal.GetReference(muS);
            ref var n0 = ref MemoryMarshal.GetReference(need);
            Vector<double> vmu = new(muB), vl = new(lambdaB);
            for (; i <= g.Length - w; i += w)
            {
                var term = (Vector.LoadUnsafe(ref g0, (nuint)i) * (vmu + Vector.LoadUnsafe(ref m0, (nuint)i))) - vl;
                Vector.Max(Vector.LoadUnsafe(ref n0, (nuint)i), term).StoreUnsafe(ref n0, (nuint)i);
            }
        }

        for (; i < g.Length; i++)
        {
            need[i] = Math.Max(need[i], (g[i] * (muB + muS[i])) - lambdaB);
        }
    }

    private ClearingCertificate Certify(int iterations)
    {
        // Pairs without a trade hold q = 0 and add nothing, whatever their gain.
        Array.Clear(utility);
        var gain = problem.PairGain;
        for (var b = 0; b < nb; b++)
        {
            utility[b] = EdgeKernels.ProductRowSum(gain.AsSpan(b * ns, ns), candidate.AsSpan(b * ns, ns), utility.AsSpan(nb, ns));
        }

        var eps = problem.Epsilon;
        double primal = 0;
        for (var k = 0; k < nb + ns; k++)
        {
            mu[k] = 1.0 / (eps + utility[k]);
            if (problem.InObjective[k])
            {
                primal += Math.Log(eps + utility[k]);
            }
        }

        if (lpDual && exactLp)
        {
            // The LP's own optimal flow at these mu, whose dual is optimal: the gap is then the Frank-Wolfe gap exactly.
            var profit = new double[nb * ns];
            var flow = new double[nb * ns];
            for (var e = 0; e < profit.Length; e++)
            {
                profit[e] = problem.TradableGain[e] * (mu[e / ns] + mu[nb + (e % ns)]);
            }

            TransportationFlow.Solve(profit, nb, ns, problem.CapacityOfSorted, flow, lambda);
        }
        else if (lpDual)
        {
            LpDual.Potentials(candidate, problem.TradableGain, mu, nb, ns, problem.CapacityOfSorted, lambda);
        }

        // Pairs outside the program have gain 0 in TradableGain, so no deficit (lambda >= 0).
        var tradableGain = problem.TradableGain;
        for (var b = 0; b < nb; b++)
        {
            for (var s = 0; s < ns; s++)
            {
                var g = tradableGain[b * ns + s];
                var deficit = g * (mu[b] + mu[nb + s]) - lambda[b] - lambda[nb + s];
                if (deficit > 0)
                {
                    // Half at each end; Tighten then lowers whichever end its other pairs do not need raised. Mean
                    // iterations on the seeded sweep (N = 100 every pair / most pairs / simulation-like, 40 books
                    // each): all of it at the end with the smaller Q 10.90 / 11.20 / 11.70, half at each 10.82 /
                    // 11.03 / 11.55; at the larger end, the buyer or the seller: worse.
                    lambda[b] += deficit / 2;
                    lambda[nb + s] += deficit - (deficit / 2);
                }
            }
        }

        Tighten();

        double capacityValue = 0, utilityValue = 0;
        for (var k = 0; k < nb + ns; k++)
        {
            capacityValue += lambda[k] * problem.CapacityOfSorted(k);
            utilityValue += mu[k] * utility[k];
        }

        // >= 0 in exact arithmetic (see remarks); a negative value can only be rounding at a gap of ~1 ulp.
        var gap = Math.Max(0, capacityValue - utilityValue);
        return new ClearingCertificate(primal, primal + gap, gap, gap / Math.Max(1, Math.Abs(primal)), iterations);
    }
}
