namespace V2V.Clearing.Nash;

/// <summary>
/// Solves the interior point method's Newton system exactly (to a relative residual of 1e-12) by flexible
/// GMRES, preconditioned by the factorisation of the capped matrix in <see cref="NewtonSystem"/>.
/// </summary>
/// <remarks>
/// The exact system, over edge steps dq and participant steps dy, is
///   (H + Z/X) dq + A^T dy = r1,   A dq - (S/Y) dy = r2,   H = B^T Pi^2 B.
/// Its factorisation is accurate only while every q/z is moderate, so <see cref="InteriorPointSolver"/> factors
/// the matrix with q/z capped. The capped matrix differs from the exact one only in the diagonal of the capped
/// edges, so the preconditioned operator is the identity plus a perturbation of rank at most the number of
/// capped edges, with eigenvalues in (0, 1]; the few that sit near 0 belong to near-degenerate directions
/// (partners with almost equal prices, where moving quantity barely changes any utility). Plain iterative
/// refinement converges slowly on exactly those; GMRES removes them in a handful of steps. The residual is
/// evaluated on the exact system in O(edges), so the converged step is the exact Newton step. Vectors hold the
/// stored edge slots of <see cref="EdgeRows"/> (fewer once the rows are compressed) followed by the participants.
/// </remarks>
internal sealed class KrylovRefinement
{
    private readonly EdgeRows rows;
    private readonly int nO;
    private readonly int nI;
    private readonly int n;
    private readonly int maxLength;
    private readonly int restart;
    private readonly double[][] basis;
    private readonly double[][] preconditioned;
    private readonly double[] hessenberg;
    private readonly double[] cosines;
    private readonly double[] sines;
    private readonly double[] rotated;
    private readonly double[] coefficients;
    private readonly double[] work;
    private readonly double[] bq;
    private readonly double[] aq;
    private readonly double[] r1;
    private readonly double[] r2;
    private readonly double[] dt;
    private readonly double[] solveQ;
    private readonly double[] solveY;

    public KrylovRefinement(EdgeRows rows, int restart)
    {
        this.rows = rows;
        nO = rows.OuterCount;
        nI = rows.InnerCount;
        n = nO + nI;
        var m = nO * nI;
        maxLength = m + n;
        this.restart = restart;
        // Krylov vectors are allocated when first used: most solves converge in a few steps.
        basis = new double[restart + 1][];
        preconditioned = new double[restart][];
        basis[0] = new double[maxLength];

        hessenberg = new double[(restart + 1) * restart];
        cosines = new double[restart];
        sines = new double[restart];
        rotated = new double[restart + 1];
        coefficients = new double[restart];
        work = new double[maxLength];
        bq = new double[n];
        aq = new double[n];
        r1 = new double[m];
        r2 = new double[n];
        dt = new double[n];
        solveQ = new double[m];
        solveY = new double[n];
    }

    /// <summary>The state the exact system is built from, set once per interior point iteration.</summary>
    public sealed record State(
        NewtonSystem Newton, double[] Gain, double[] Edge, double[] WeightCapped, double[] ZOverQ, double[] Theta, double[] Pi, double[]? Weight = null);

    /// <summary>The time budget, read before each GMRES step (the step under way is abandoned, stepQ and stepY with it).</summary>
    public SolverDeadline Deadline { get; set; }

    /// <summary>
    /// Improves (stepQ, stepY), which the capped factorisation gave for the right-hand side (rhs1, rhs2), until
    /// it solves the exact system, in at most one GMRES cycle of the restart length; returns whether the residual
    /// reached the tolerance (if not, the caller may run another cycle from the improved step).
    /// </summary>
    public bool Refine(State state, double[] rhs1, double[] rhs2, double[] stepQ, double[] stepY, double relativeTolerance)
    {
        Deadline.Check();
        // r0 = b - K x0, in basis[0].
        var m = rows.Count;
        var length = m + n;
        var r = basis[0];
        Pack(stepQ, stepY, work);
        Apply(state, work, r);
        double rhsNorm = 0, beta = 0;
        for (var e = 0; e < m; e++)
        {
            r[e] = rhs1[e] - r[e];
            rhsNorm += rhs1[e] * rhs1[e];
        }

        for (var k = 0; k < n; k++)
        {
            r[m + k] = rhs2[k] - r[m + k];
            rhsNorm += rhs2[k] * rhs2[k];
        }

        rhsNorm = Math.Sqrt(rhsNorm);
        beta = Norm(r, length);
        var tolerance = relativeTolerance * rhsNorm;
        if (!(beta > tolerance))
        {
            return true;
        }

        Scale(r, length, 1 / beta);
        Array.Clear(rotated);
        rotated[0] = beta;
        var steps = 0;
        for (var j = 0; j < restart; j++)
        {
            // Each step applies the exact system and the capped factor's solve: O(pairs + inner^2), ~1 s at 10,000 orders.
            Deadline.Check();
            // z_j = M^-1 v_j (flexible GMRES keeps them, so the update needs no further solve), w = K z_j.
            Precondition(state, basis[j], preconditioned[j] ??= new double[maxLength]);
            var w = basis[j + 1] ??= new double[maxLength];
            Apply(state, preconditioned[j], w);
            for (var i = 0; i <= j; i++)
            {
                var h = Dot(w, basis[i], length);
                H(i, j) = h;
                Axpy(-h, basis[i], w, length);
            }

            var norm = Norm(w, length);
            H(j + 1, j) = norm;
            steps = j + 1;

            // Givens rotations keep the Hessenberg matrix triangular; rotated[j + 1] is the residual norm.
            for (var i = 0; i < j; i++)
            {
                var (a, b) = (H(i, j), H(i + 1, j));
                H(i, j) = cosines[i] * a + sines[i] * b;
                H(i + 1, j) = -sines[i] * a + cosines[i] * b;
            }

            var rho = Math.Sqrt(H(j, j) * H(j, j) + norm * norm);
            if (!(rho > 0))
            {
                // Breakdown: column j adds nothing (or is not finite); solve with the columns before it.
                steps = j;
                break;
            }

            cosines[j] = H(j, j) / rho;
            sines[j] = norm / rho;
            H(j, j) = rho;
            H(j + 1, j) = 0;
            rotated[j + 1] = -sines[j] * rotated[j];
            rotated[j] *= cosines[j];
            if (Math.Abs(rotated[j + 1]) <= tolerance || !(norm > 0))
            {
                break;
            }

            Scale(w, length, 1 / norm);
        }

        for (var i = steps - 1; i >= 0; i--)
        {
            var sum = rotated[i];
            for (var l = i + 1; l < steps; l++)
            {
                sum -= H(i, l) * coefficients[l];
            }

            coefficients[i] = sum / H(i, i);
        }

        var converged = !(Math.Abs(rotated[steps]) > tolerance);

        for (var i = 0; i < steps; i++)
        {
            var zi = preconditioned[i];
            var c = coefficients[i];
            for (var e = 0; e < m; e++)
            {
                stepQ[e] += c * zi[e];
            }

            for (var k = 0; k < n; k++)
            {
                stepY[k] += c * zi[m + k];
            }
        }

        return converged;
    }

    private ref double H(int row, int column) => ref hessenberg[row * restart + column];

    private void Precondition(State st, double[] v, double[] result)
    {
        var m = rows.Count;
        Array.Copy(v, 0, r1, 0, m);
        Array.Copy(v, m, r2, 0, n);
        st.Newton.Solve(st.Gain, st.WeightCapped, r1, r2, dt, solveY, solveQ);
        Pack(solveQ, solveY, result);
    }

    // K x for the exact system (see remarks); x and result are packed [dq; dy].
    private void Apply(State st, double[] x, double[] result)
    {
        var g = st.Gain;
        var m = rows.Count;
        Array.Clear(bq);
        Array.Clear(aq);
        var innerB = bq.AsSpan(nO, nI);
        var innerA = aq.AsSpan(nO, nI);
        for (var o = 0; o < nO; o++)
        {
            // x is 0 off the edges, so weighting it by the edge mask (1 on an edge) leaves it as it is.
            int row = rows.RowStart(o), length = rows.RowLength(o);
            var (sumB, sumX) = EdgeKernels.WeightedSums(
                st.Edge.AsSpan(row, length), x.AsSpan(row, length), g.AsSpan(row, length), innerB, innerA, rows.ColumnsOf(o));
            bq[o] += sumB;
            aq[o] += sumX;
        }

        for (var k = 0; k < n; k++)
        {
            result[m + k] = aq[k] - st.Theta[k] * x[m + k];
            bq[k] *= st.Weight is null ? st.Pi[k] * st.Pi[k] : st.Pi[k] * st.Pi[k] / st.Weight[k];
        }

        var innerY = x.AsSpan(m + nO, nI);
        for (var o = 0; o < nO; o++)
        {
            int row = rows.RowStart(o), length = rows.RowLength(o);
            EdgeKernels.OperatorRow(
                st.Edge.AsSpan(row, length), g.AsSpan(row, length), st.ZOverQ.AsSpan(row, length), x.AsSpan(row, length),
                bq[o], x[m + o], innerB, innerY, result.AsSpan(row, length), rows.ColumnsOf(o));
        }
    }

    private void Pack(double[] q, double[] y, double[] into)
    {
        var m = rows.Count;
        Array.Copy(q, 0, into, 0, m);
        Array.Copy(y, 0, into, m, n);
    }

    private static double Dot(double[] a, double[] b, int length) => DenseCholesky.Dot(a.AsSpan(0, length), b.AsSpan(0, length));

    private static double Norm(double[] a, int length) => Math.Sqrt(Dot(a, a, length));

    private static void Axpy(double alpha, double[] x, double[] y, int length) =>
        DenseCholesky.Axpy(alpha, x.AsSpan(0, length), y.AsSpan(0, length));

    private static void Scale(double[] a, int length, double factor)
    {
        for (var i = 0; i < length; i++)
        {
            a[i] *= factor;
        }
    }
}
