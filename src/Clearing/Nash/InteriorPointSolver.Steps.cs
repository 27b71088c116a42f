namespace V2V.Clearing.Nash;

/// <summary>One Mehrotra predictor-corrector step of the interior point method, its correctors and its step lengths.</summary>
internal sealed partial class InteriorPointSolver
{
    // One Mehrotra predictor-corrector step; false if the step is not finite (the best iterate so far stands).
    private bool Step()
    {
        StepKernels.RaiseProducts(Edges(edge), Edges(q), Edges(z), ProductFloor * Complementarity() / (p.EdgeCount + n));
        double complementarity = 0;
        capped = false;
        Array.Clear(rp);
        var rpInner = rp.AsSpan(nO, nI);
        var yInner = y.AsSpan(nO, nI);
        var piInner = pi.AsSpan(nO, nI);
        for (var o = 0; o < nO; o++)
        {
            int row = rows.RowStart(o), length = rows.RowLength(o);
            var columns = rows.ColumnsOf(o);
            rp[o] += EdgeKernels.RowSum(q.AsSpan(row, length), rpInner, columns);
            var (rowComplementarity, rowCapped) = StepKernels.IterationRow(
                edge.AsSpan(row, length), g.AsSpan(row, length), q.AsSpan(row, length), z.AsSpan(row, length), y[o], pi[o],
                yInner, piInner, rows.Dense ? MaxEdgeWeight : MaxSupportEdgeWeight, rd.AsSpan(row, length), invQ.AsSpan(row, length), zOverQ.AsSpan(row, length),
                invD.AsSpan(row, length), columns);
            complementarity += rowComplementarity;
            capped |= rowCapped;
        }

        for (var k = 0; k < n; k++)
        {
            rp[k] += s[k] - cap[k];
            theta[k] = s[k] / y[k];
            complementarity += s[k] * y[k];
        }

        // mu divides by every edge of the book in the support phase too: the dropped pairs held about mu each, and
        // averaging over the kept ones only took more iterations (seeded N = 100 every-pair books, 11.8 against 11.25).
        // The passes over every pair between two reads of the budget take an estimated 0.1-1 s at 10,000 orders; nothing
        // of the iterate (q, s, y) changes before the end of the step, so a step the budget stops leaves the last one whole.
        deadline.Check();
        var count = p.EdgeCount + n;
        var mu = complementarity / count;
        krylovTolerance = Math.Clamp(KrylovToleranceOverMu * mu, MinKrylovTolerance, MaxKrylovTolerance);
        newton.Factor(g, invD, pi, theta, single: !capped && mu >= SingleAboveMu, weight: p.Weight);
        SingleIterations += newton.Single ? 1 : 0;

        // Predictor (affine scaling, tau = 0): r1 = -rd - z (the edge mask is 1 on edges; off edges rd = z = 0).
        StepKernels.NegatedSumProduct(Edges(rd), Edges(edge), Edges(z), Edges(r1));

        for (var k = 0; k < n; k++)
        {
            r2[k] = -rp[k] + s[k];
        }

        // The predictor only sets the centring and the second-order term; the capped factorisation is enough.
        newton.Solve(g, invD, r1, r2, dt, dyAff, dqAff);
        StepKernels.NegatedSumProduct(Edges(z), Edges(zOverQ), Edges(dqAff), Edges(dzAff));
        deadline.Check();

        SlackStep(dqAff, dsAff);
        var aff = MaxStep(dqAff, dzAff, dsAff, dyAff, 1);
        var affine = StepKernels.StepProducts(Edges(q), Edges(dqAff), aff.Primal, Edges(z), Edges(dzAff), aff.Dual)
            + StepKernels.StepProducts(s, dsAff, aff.Primal, y, dyAff, aff.Primal);
        var ratio = Math.Clamp(affine / complementarity, 0, 1);
        var target = ratio * ratio * ratio * mu;

        // Corrector: centring towards sigma mu plus the second-order term of the predictor. If that direction runs into
        // the boundary at once (an iterate jammed against it: measured on a simulation book, steps of 1e-7 and less at
        // mu = 1e-11), take a pure centring step instead (sigma = 1, no second-order term), which moves away from it.
        var alpha = CorrectorStep(target, mu);
        if (alpha.Shortest < JammedStep)
        {
            Edges(dzAff).Clear();
            Array.Clear(dsAff);
            alpha = CorrectorStep(mu, mu);
        }

        if (!double.IsFinite(alpha.Shortest) || alpha.Shortest <= 0)
        {
            return false;
        }

        for (var k = 0; k < MaxCentralityCorrectors && alpha.Shortest < 1; k++)
        {
            deadline.Check();
            var better = CentralityCorrector(alpha, target, mu);
            if (!(better.Shortest >= alpha.Shortest * (1 + MinCorrectorGain)))
            {
                break;
            }

            (dq, cq) = (cq, dq);
            (dz, cz) = (cz, dz);
            (ds, cs) = (cs, ds);
            (dy, cy) = (cy, dy);
            alpha = better;
        }

        // The step lengths ignore NaN entries of a direction (no comparison holds), so a broken-down Newton solve would
        // otherwise be applied and turn the iterate into NaN (issue 17: after ~70 iterations on a book the certificate
        // could not pass, because the program's optimum held a trade below the minimum).
        // A NaN in dq reaches ds through SlackStep, so the short vectors tell; one that only dz holds is caught in Run by
        // the complementarity after the step (checking the per-edge vectors here cost ~1.5 % of an N = 100 book).
        if (!double.IsFinite(DenseCholesky.Dot(ds, ds) + DenseCholesky.Dot(dy, dy)))
        {
            return false;
        }

        deadline.Check();

        DenseCholesky.Axpy(alpha.Primal, Edges(dq), Edges(q));
        DenseCholesky.Axpy(alpha.Dual, Edges(dz), Edges(z));
        DenseCholesky.Axpy(alpha.Primal, ds, s);
        DenseCholesky.Axpy(alpha.Primal, dy, y);
        return true;
    }

    // The corrector direction into dq, dz, ds, dy for centring target tau; returns its step lengths.
    private StepLengths CorrectorStep(double target, double mu)
    {
        StepKernels.Corrector(target, Edges(rd), Edges(z), Edges(invQ), Edges(dqAff), Edges(dzAff), [], Edges(r1));
        for (var k = 0; k < n; k++)
        {
            r2[k] = -rp[k] + s[k] - (target - dsAff[k] * dyAff[k]) / y[k];
        }

        SolveRefined(r1, r2, dy, dq);
        StepKernels.Corrector(target, Edges(rd), Edges(z), Edges(invQ), Edges(dqAff), Edges(dzAff), Edges(dq), Edges(dz));
        SlackStep(dq, ds);
        return MaxStep(dq, dz, ds, dy, Math.Clamp(1 - mu, MinStepFraction, MaxStepFraction));
    }

    // Gondzio's centrality corrector: the products (q + a dq)(z + a dz), (s + a ds)(y + a dy) at a longer trial step
    // a are pulled into [BetaMin, BetaMax] x target, and the Newton system solved for that shift (zero residuals) is
    // added to the direction, into cq, cz, cs, cy; returns the step lengths of the corrected direction (kept by
    // Step if the shorter of the two grows; the sum of both was no better). The shift is
    // solved with the capped factorisation only: refined on the exact system, the correctors cost more GMRES steps
    // (up to 35 per iteration at N = 100) than the iterations they saved; the residuals stay exact either way.
    private StepLengths CentralityCorrector(StepLengths alpha, double target, double mu)
    {
        var trial = Math.Min(1, CorrectorTrialFactor * alpha.Primal);
        var trialDual = Math.Min(1, CorrectorTrialFactor * alpha.Dual);
        double low = BetaMin * target, high = BetaMax * target;
        StepKernels.CentralityCorrection(Edges(q), Edges(dq), Edges(z), Edges(dz), Edges(invQ), trial, trialDual, low, high, Edges(rc1));
        for (var k = 0; k < n; k++)
        {
            var product = (s[k] + trial * ds[k]) * (y[k] + trial * dy[k]);
            rc2[k] = -StepKernels.CentralityShift(product, low, high) / y[k];
        }

        newton.Solve(g, invD, rc1, rc2, dt, cy, cq);
        StepKernels.CorrectedStep(Edges(dq), Edges(dz), Edges(rc1), Edges(zOverQ), Edges(cq), Edges(cz));
        for (var k = 0; k < n; k++)
        {
            cy[k] += dy[k];
        }

        SlackStep(cq, cs);
        return MaxStep(cq, cz, cs, cy, Math.Clamp(1 - mu, MinStepFraction, MaxStepFraction));
    }

    // Solves the Newton system through the factorisation of the capped matrix and, once any weight is capped,
    // refines the step until it solves the exact system (KrylovRefinement). Measured on seeded books: without
    // refinement the worst N = 100 book stalls at 3e-8; with three passes of plain iterative refinement 5 % of
    // the N = 100 books and 2 of 5 at N = 500 still stall between 1e-9 and 3e-8.
    private void SolveRefined(double[] r1, double[] r2, double[] stepY, double[] stepQ)
    {
        newton.Solve(g, invD, r1, r2, dt, stepY, stepQ);
        for (var cycle = 0; capped && cycle < KrylovCycles; cycle++)
        {
            if (krylov.Refine(krylovState, r1, r2, stepQ, stepY, krylovTolerance))
            {
                break;
            }
        }
    }

    // ds = -rp - A dq keeps A q + s = Q along the step (it equals the complementarity row when solved exactly).
    private void SlackStep(double[] stepQ, double[] stepS)
    {
        Array.Clear(stepS);
        var inner = stepS.AsSpan(nO, nI);
        for (var o = 0; o < nO; o++)
        {
            stepS[o] += EdgeKernels.RowSum(stepQ.AsSpan(rows.RowStart(o), rows.RowLength(o)), inner, rows.ColumnsOf(o));
        }

        for (var k = 0; k < n; k++)
        {
            stepS[k] = -rp[k] - stepS[k];
        }
    }

    // The step lengths, each at most 1: the fraction of the largest alpha keeping q, s and y >= 0 (primal; y moves with
    // them as the multiplier of A q + s = Q, as in IPOPT), and of the largest keeping z >= 0 (dual). z appears only in
    // the dual residual rd = grad phi + A^T y - z, which each iteration recomputes exactly, so a shorter dual step only
    // leaves (alpha_primal - alpha_dual) dz in it for the next iteration; the certificate never uses z. One common
    // step was limited by z alone in the short iterations (edges coming into the support), e.g. 0.19 affine against 1.0
    // for q, s and y. Measured on the seeded sweep (mean iterations, N = 100 all pairs / most pairs / simulation-like,
    // N = 500, N = 20): one step 13.82 / 13.82 / 14.43 / 24.25 / 8.85, two 12.57 / 12.60 / 12.82 / 21.25 / 8.26, every
    // book still certified. y on the dual step instead: 12.45 / 12.50 / 13.22 / 21.25 / 8.22. Pairs that are not
    // edges hold q = z = 0 and zero steps, so they never limit it.
    private StepLengths MaxStep(double[] stepQ, double[] stepZ, double[] stepS, double[] stepY, double fraction)
    {
        var primal = StepKernels.StepLimit(Edges(q), Edges(stepQ), double.PositiveInfinity);
        primal = StepKernels.StepLimit(s, stepS, primal);
        primal = StepKernels.StepLimit(y, stepY, primal);
        var dual = StepKernels.StepLimit(Edges(z), Edges(stepZ), double.PositiveInfinity);
        return new StepLengths(Math.Min(1, fraction * primal), Math.Min(1, fraction * dual));
    }

    // Primal (q, s, y) and dual (z) step lengths; the shorter one is what the corrector tests compare.
    private readonly record struct StepLengths(double Primal, double Dual)
    {
        public double Shortest => Math.Min(Primal, Dual);
    }
}
