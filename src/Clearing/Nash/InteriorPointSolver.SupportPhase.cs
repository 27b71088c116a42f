namespace V2V.Clearing.Nash;

/// <summary>The support phase of the interior point method: its start (Compress), its abandonment (Restore) and its settings.</summary>
internal sealed partial class InteriorPointSolver
{
    // Starts the support phase: pairs with q < Ratio z are dropped (their quantity goes back to both ends' slack, so
    // A q + s = Q still holds), and the remaining iterations run on compressed rows of the kept edges only. The dense
    // iterate is saved for Restore. Nothing is dropped if no edge or more than MaxShare of the edges would be kept, or
    // if the kept edges' K would not factor sparsely more cheaply than the dense Schur complement (NewtonSystem.Reshape);
    // returns whether the phase started. If not, Run tries again after each iteration, but the ordering only once the
    // kept edges are down to RetryShrink of the last ones it rejected (their fill grows faster than their number).
    private bool Compress(SupportPhase support)
    {
        var kept = 0;
        for (var e = 0; e < keep.Length; e++)
        {
            keep[e] = edge[e] > 0 && q[e] >= support.Ratio * z[e];
            kept += keep[e] ? 1 : 0;
        }

        if (kept == 0 || kept > support.MaxShare * p.EdgeCount || kept > RetryShrink * rejectedKept)
        {
            return false;
        }

        return CompressKept(kept);
    }

    // Compresses the iterate onto the edges marked in keep (kept of them), as Compress describes.
    private bool CompressKept(int kept)
    {
        rows.Compress(keep);
        if (!newton.Reshape())
        {
            rows.MakeDense();
            newton.Reshape();
            rejectedKept = kept;
            return false;
        }

        SupportEdges = kept;
        q.CopyTo(savedQ, 0);
        z.CopyTo(savedZ, 0);
        s.CopyTo(savedS, 0);
        y.CopyTo(savedY, 0);
        for (var o = 0; o < nO; o++)
        {
            for (var i = 0; i < nI; i++)
            {
                var e = o * nI + i;
                if (edge[e] > 0 && !keep[e])
                {
                    s[o] += q[e];
                    s[nO + i] += q[e];
                }
            }
        }

        for (var e = 0; e < rows.Count; e++)
        {
            var slot = rows.DenseSlot(e);
            q[e] = q[slot];
            z[e] = z[slot];
            compactGain[e] = p.Gain[slot];
            edge[e] = 1;
        }

        g = compactGain;
        krylovState = new KrylovRefinement.State(newton, g, edge, invD, zOverQ, theta, pi, p.Weight);
        return true;
    }

    // The support phase has converged without a certificate: prices the pairs it dropped at the iterate's multipliers
    // (a pair whose g (pi_o + pi_i) exceeds y_o + y_i would improve the objective: the restricted optimum is not the
    // book's) and, if any does, starts the phase again from the iterate saved when it started, with those pairs kept too.
    // Returns false if no dropped pair is priced in, the rounds are used up, or the larger set does not factor sparsely.
    private bool Reprice()
    {
        if (SupportReprices >= MaxReprices)
        {
            return false;
        }

        var added = 0;
        for (var o = 0; o < nO; o++)
        {
            // The RepricedPerRow most violated dropped pairs of the row (all of them at once: ~60 % of an N = 100 book's
            // pairs after an early phase, too many to factor sparsely).
            for (var round = 0; round < RepricedPerRow; round++)
            {
                var (best, most) = (-1, 0.0);
                for (var i = 0; i < nI; i++)
                {
                    var e = o * nI + i;
                    var violation = p.Gain[e] * (pi[o] + pi[nO + i]) - y[o] - y[nO + i];
                    if (p.Gain[e] > 0 && !keep[e] && violation > most)
                    {
                        (best, most) = (e, violation);
                    }
                }

                if (best < 0)
                {
                    break;
                }

                keep[best] = true;
                added++;
            }
        }

        if (added == 0)
        {
            return false;
        }

        SupportReprices++;
        var kept = SupportEdges + added;
        Restore();
        // A set too large to factor sparsely leaves the saved iterate on the full program, as Restore alone does.
        Restored = !CompressKept(kept);
        return true;
    }

    /// <summary>
    /// Pairs from which a book counts as large: the support phase starts earlier (<see cref="SupportPhase.For"/>) and
    /// identical orders are pooled (<see cref="IdenticalOrderPools"/>). N = 500 two buyers per seller has ~55,000.
    /// </summary>
    internal const int LargeEdges = 40_000;

    // Dropped pairs per outer participant priced back in per round of Reprice.
    private const int RepricedPerRow = 2;

    // Abandons the support phase (a pair that was dropped is needed after all: the certificate stalls, or the step
    // fails) and resumes the full program from the iterate saved when it started.
    private void Restore()
    {
        Restored = true;
        UseDenseRows();
        savedQ.CopyTo(q, 0);
        savedZ.CopyTo(z, 0);
        savedS.CopyTo(s, 0);
        savedY.CopyTo(y, 0);
    }

    /// <summary>
    /// The support phase: once the complementarity is within <c>At</c> of the objective's scale, pairs with
    /// q &lt; <c>Ratio</c> z (scaled units) are dropped and the remaining iterations run on the kept edges only (compressed
    /// <see cref="EdgeRows"/>, K factored by <see cref="SparseBlockCholesky"/>), unless more than <c>MaxShare</c> of the
    /// edges would be kept or the kept edges' K would not factor more cheaply than the dense Schur complement
    /// (<see cref="NewtonSystem.Reshape"/>); then it is tried again after later iterations (see Compress). In the phase
    /// q/z is capped at MaxSupportEdgeWeight instead of MaxEdgeWeight. If the certificate has not passed once the complementarity is <c>Stall</c> x
    /// the target, or a step fails, a dropped pair was needed after all, and the full program resumes from the iterate
    /// saved when the phase started. The certificate always covers every pair of the book, so the phase can cost time
    /// but never accuracy.
    /// </summary>
    /// <remarks>
    /// Near the optimum only a few percent of the pairs trade (130-150 of 2,500 at N = 100, every pair feasible), yet every
    /// dense iteration costs the full 2 nI x 2 nI Schur complement and a dozen passes over all pairs. Measured on 2026-12-03
    /// (seeded books, mean iterations without the phase -> with it; every book certified):
    /// N = 100 every pair 10.82 -> 11.07, most pairs 11.03 -> 10.95, simulation-like 11.55 -> 11.55 (the phase does not
    /// start on them: ~28 % of their edges are kept, too many to factor sparsely), N = 50 9.48 -> 9.43, N = 200 13.80 ->
    /// 14.20, N = 500 every pair 18.25 -> 17.00. At N = 100 the phase starts after ~8 iterations with ~200 edges kept,
    /// whose K factors sparsely (~350 blocks with fill, 6-13 us against 21-23 us for a dense Cholesky of their Schur
    /// complement; 3-4 us per solve against 12-14 us). Probe (per-book minimum over 150 repetitions, median of 8 books,
    /// alternated runs): every pair N = 100 medians 1.39 -> 1.36 ms (within this VM's noise), most pairs N = 500 211-223
    /// -> 117-153 ms. Other settings, same probe (N = 100 every pair, 3 runs each): At 1e-5 with Ratio 1e-2 or 1e-3, or
    /// At 3e-5: 1.26-1.48 ms, no better; At 1e-4 with Ratio 1e-3 kept ~650 edges, whose iterations on compressed rows
    /// (scalar loops, the Schur complement of the kept edges) cost more than dense ones (191 against 160 us). Before the
    /// phase required the sparse factorisation it also ran on simulation-like books (12.03 mean iterations) and made them
    /// slower (probe medians 1.33-1.87 against 1.05-1.39 ms). Stall 1e-2 abandoned the phase on 2-7 of 40 books that then
    /// certified one iteration later; 1e-3 on none of them. mu keeps dividing by every pair of the book: over the kept
    /// ones only, 11.8 instead of 11.25 mean iterations.
    /// </remarks>
    internal readonly record struct SupportPhase(double At, double Ratio, double MaxShare, double Stall)
    {
        public static SupportPhase Default => new(At: 1e-6, Ratio: 1e-2, MaxShare: 0.5, Stall: 1e-3);

        /// <summary>
        /// Books of at least LargeEdges pairs start the phase at 1e-4 instead of 1e-6: there a dense iteration costs
        /// 0.3-0.8 s (N = 2,000) against tens of ms for a sparse one on the ~40,000 pairs kept then. Measured on seed 0
        /// of the benchmark books (one solve per process, 2026-12-07, other jobs on the machine): two buyers per seller
        /// N = 2,000 6.9 -> 4.0 s (13 -> 8 dense iterations), N = 500 fastest of 4 0.149-0.155 -> 0.128-0.139 s; balanced
        /// N = 1,000 3.7 -> 3.0 s, N = 2,000 28 -> 21 s, N = 500 0.164-0.192 -> 0.147-0.148 s; every book certified.
        /// Smaller books keep Default (at N = 100 a phase started at 1e-4 keeps ~650 pairs, whose compressed iterations
        /// cost more than dense ones).
        /// </summary>
        public static SupportPhase For(int edgeCount) => edgeCount >= LargeEdges ? Default with { At = 1e-4 } : Default;

        /// <summary>Never starts (every iteration on the full program).</summary>
        public static SupportPhase Off => new(At: 0, Ratio: 0, MaxShare: 0, Stall: 0);
    }
}
