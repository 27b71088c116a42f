namespace V2V.Clearing.Nash.LargeBooks;

/// <summary>
/// Primal-dual interior point method (Mehrotra predictor-corrector) for the scaled SPEC 4 program restricted to a
/// working set of pairs (edges), for <see cref="ColumnGeneration"/>:
///   min -sum_k log(eps + (B q)_k)  s.t.  A q + s = Q,  q &gt;= 0,  s &gt;= 0,
/// with pi_k = 1 / (eps + u_k), dual residual rd = -g (pi_i + pi_j) + y_i + y_j - z per edge, and q z = s y = sigma mu.
/// </summary>
/// <remarks>
/// The Newton system is reduced as in <see cref="NewtonSystem"/>, but factored sparsely whatever the size: with
/// D = z / q, M = diag(pi^2, y / s) per participant and C = [B; A], the step solves (D + C^T M C) dq = h through
/// K = M^-1 + C D^-1 C^T, one 2 x 2 block per participant and one per edge (<see cref="SparseNodeCholesky"/>), so an
/// iteration costs about the edges plus the fill, not the square of a side. Each solve runs preconditioned conjugate
/// gradients on the exact reduced equation (one pass over the edges per step), the factor of K with q/z and s/y capped
/// as preconditioner: near the optimum D^-1 spans ~1e12 and the factor alone loses every digit. One step length for
/// all variables: the objective is not linear, and separate ones left the dual residual at O(1) (Wright, "Primal-Dual Interior-Point
/// Methods", SIAM 1997, ch. 11; Mehrotra, "On the implementation of a primal-dual interior point method", SIAM J.
/// Optimization 2, 1992).
/// </remarks>
internal sealed partial class RestrictedInteriorPoint
{
    // The start, step fractions, inexact Newton tolerance and jam test are the dense solver's
    // (InteriorPointSolver, where each is measured); the Newton solves here run conjugate gradients instead of GMRES.
    private const double StartShare = InteriorPointSolver.StartShare;
    private const double MinStepFraction = InteriorPointSolver.MinStepFraction;
    private const double MaxStepFraction = InteriorPointSolver.MaxStepFraction;
    // The dense solver's product floor is 0.3; here 0.01 (4 seeded N = 100 books, 2026-12-07: 0.3 certified 1 of 4, 0.01
    // 3 of 4, none 0 of 4, its raises adding dual infeasibility the certificate then pays for).
    private const double ProductFloor = 0.01;
    private const double KrylovToleranceOverMu = InteriorPointSolver.KrylovToleranceOverMu;
    private const double MinKrylovTolerance = InteriorPointSolver.MinKrylovTolerance;
    private const double MaxKrylovTolerance = InteriorPointSolver.MaxKrylovTolerance;
    private const double JammedStep = InteriorPointSolver.JammedStep;

    // Conjugate gradient steps per Newton solve at most.
    private const int MaxConjugateSteps = 200;

    // Cap on q/z and s/y in K, which only preconditions the exact equation (Conjugate). Near the optimum K's entries span
    // ~1e19 and its factor loses every digit (measured: plain refinement diverged at mu ~ 1e-8 on N = 20 books). 4 seeded
    // N = 100 books, 2026-12-07, certified gaps: 1e3 1.4e-9 .. 7e-9, 1e4 4.7e-9 .. 4e-8, 1e5 and 1e6 up to 1e-4.
    private const double MaxWeight = 1e3;

    private readonly int n;
    private readonly int m;
    private readonly int[] from;
    private readonly int[] to;
    private readonly double[] g;
    private readonly double[] cap;
    private readonly double eps;
    private readonly SparseNodeCholesky cholesky;
    private readonly double[] q;
    private readonly double[] z;
    private readonly double[] s;
    private readonly double[] y;
    private readonly double[] u;
    private readonly double[] pi;
    private readonly double[] w;
    private readonly double[] theta;
    private readonly double[] rd;
    private readonly double[] rp;
    private readonly double[] rc1;
    private readonly double[] rc2;
    private readonly double[] h;
    private readonly double[] res;
    private readonly double[] cor;
    private readonly double[] dq;
    private readonly double[] dz;
    private readonly double[] ds;
    private readonly double[] dy;
    private readonly double[] dqAff;
    private readonly double[] dzAff;
    private readonly double[] dsAff;
    private readonly double[] dyAff;
    private readonly double[] d11;
    private readonly double[] d21;
    private readonly double[] d22;
    private readonly double[] v0;
    private readonly double[] v1;
    private readonly double[] work;
    private readonly double[] pdir;
    private readonly double[] apdir;

    /// <param name="participants">Participants (nodes) of the working set, each an end of at least one edge.</param>
    /// <param name="from">An end of each edge (the buyer).</param>
    /// <param name="to">The other end (the seller).</param>
    /// <param name="gain">Scaled gain of each edge, in (0, 1].</param>
    /// <param name="capacity">Scaled capacity of each participant, in (0, 1].</param>
    /// <param name="epsilon">Scaled epsilon.</param>
    public RestrictedInteriorPoint(int participants, int[] from, int[] to, double[] gain, double[] capacity, double epsilon)
    {
        n = participants;
        m = from.Length;
        this.from = from;
        this.to = to;
        g = gain;
        cap = capacity;
        eps = epsilon;
        cholesky = new SparseNodeCholesky(n);
        q = new double[m];
        z = new double[m];
        w = new double[m];
        rd = new double[m];
        rc1 = new double[m];
        h = new double[m];
        res = new double[m];
        cor = new double[m];
        dq = new double[m];
        dz = new double[m];
        dqAff = new double[m];
        dzAff = new double[m];
        s = new double[n];
        y = new double[n];
        u = new double[n];
        pi = new double[n];
        theta = new double[n];
        rp = new double[n];
        rc2 = new double[n];
        ds = new double[n];
        dy = new double[n];
        dsAff = new double[n];
        dyAff = new double[n];
        d11 = new double[n];
        d21 = new double[n];
        d22 = new double[n];
        v0 = new double[n];
        v1 = new double[n];
        work = new double[2 * n];
        pdir = new double[m];
        apdir = new double[m];
    }

    /// <summary>Scaled quantities of the edges.</summary>
    public ReadOnlySpan<double> Quantity => q;

    /// <summary>Scaled capacity multipliers of the participants.</summary>
    public ReadOnlySpan<double> Multiplier => y;

    /// <summary>q^T z + s^T y (scaled units, which the gap shares): about the duality gap of the iterate.</summary>
    public double Complementarity { get; private set; }

    public int Iterations { get; private set; }

    /// <summary>Off-diagonal blocks of K's factor, fill included.</summary>
    public int Slots => cholesky.Slots;

    /// <summary>Orders K (false if the working set's fill passes <paramref name="maxSlots"/>) and sets the start.</summary>
    public bool Start(long maxSlots)
    {
        if (!cholesky.Analyse(from, to, maxSlots))
        {
            return false;
        }

        var degree = new int[n];
        for (var e = 0; e < m; e++)
        {
            degree[from[e]]++;
            degree[to[e]]++;
        }

        Array.Copy(cap, s, n);
        for (var e = 0; e < m; e++)
        {
            q[e] = StartShare * Math.Min(cap[from[e]] / degree[from[e]], cap[to[e]] / degree[to[e]]);
            s[from[e]] -= q[e];
            s[to[e]] -= q[e];
        }

        Utilities();

        // Capacity multipliers covering half of each end's largest need, so every z starts at 2 or more (dual feasible).
        Array.Fill(y, 0.0);
        for (var e = 0; e < m; e++)
        {
            var need = 0.5 * g[e] * (pi[from[e]] + pi[to[e]]);
            y[from[e]] = Math.Max(y[from[e]], need);
            y[to[e]] = Math.Max(y[to[e]], need);
        }

        for (var k = 0; k < n; k++)
        {
            y[k] += 1;
        }

        for (var e = 0; e < m; e++)
        {
            z[e] = y[from[e]] + y[to[e]] - (g[e] * (pi[from[e]] + pi[to[e]]));
        }

        Complementarity = Products();
        Iterations = 0;
        return true;
    }

    /// <summary>One predictor-corrector iteration; false if the step failed (a non-finite direction).</summary>
    public bool Iterate()
    {
        Utilities();
        var mu = Products() / (m + n);
        for (var e = 0; e < m; e++)
        {
            if (q[e] * z[e] < ProductFloor * mu)
            {
                z[e] = ProductFloor * mu / q[e];
            }
        }

        for (var e = 0; e < m; e++)
        {
            rd[e] = -(g[e] * (pi[from[e]] + pi[to[e]])) + y[from[e]] + y[to[e]] - z[e];
        }

        Array.Copy(cap, rp, n);
        for (var e = 0; e < m; e++)
        {
            rp[from[e]] -= q[e];
            rp[to[e]] -= q[e];
        }

        for (var k = 0; k < n; k++)
        {
            rp[k] -= s[k];
        }

        Factor();
        var tolerance = Math.Clamp(KrylovToleranceOverMu * mu, MinKrylovTolerance, MaxKrylovTolerance);

        // Predictor (affine scaling).
        for (var e = 0; e < m; e++)
        {
            rc1[e] = -q[e] * z[e];
        }

        for (var k = 0; k < n; k++)
        {
            rc2[k] = -s[k] * y[k];
        }

        Direction(dqAff, dzAff, dsAff, dyAff, tolerance);
        var fraction = Math.Clamp(1 - (10 * mu), MinStepFraction, MaxStepFraction);
        var (ap, ad) = StepLengths(dqAff, dzAff, dsAff, dyAff, 1.0);
        ap = ad = Math.Min(ap, ad);
        double affine = 0;
        for (var e = 0; e < m; e++)
        {
            affine += (q[e] + (ap * dqAff[e])) * (z[e] + (ad * dzAff[e]));
        }

        for (var k = 0; k < n; k++)
        {
            affine += (s[k] + (ap * dsAff[k])) * (y[k] + (ad * dyAff[k]));
        }

        var ratio = affine / (m + n) / mu;
        var sigma = Math.Clamp(ratio * ratio * ratio, 0, 1);

        // Corrector: centring plus the second-order term of the predictor.
        for (var e = 0; e < m; e++)
        {
            rc1[e] = (sigma * mu) - (q[e] * z[e]) - (dqAff[e] * dzAff[e]);
        }

        for (var k = 0; k < n; k++)
        {
            rc2[k] = (sigma * mu) - (s[k] * y[k]) - (dsAff[k] * dyAff[k]);
        }

        Direction(dq, dz, ds, dy, tolerance);
        (ap, ad) = StepLengths(dq, dz, ds, dy, fraction);
        ap = ad = Math.Min(ap, ad);
        if (ap < JammedStep)
        {
            // Jammed against the boundary: a pure centring step instead (as InteriorPointSolver does).
            for (var e = 0; e < m; e++)
            {
                rc1[e] = mu - (q[e] * z[e]);
            }

            for (var k = 0; k < n; k++)
            {
                rc2[k] = mu - (s[k] * y[k]);
            }

            Direction(dq, dz, ds, dy, tolerance);
            (ap, ad) = StepLengths(dq, dz, ds, dy, fraction);
            ap = ad = Math.Min(ap, ad);
        }
        if (!double.IsFinite(ap) || !double.IsFinite(ad))
        {
            return false;
        }

        for (var e = 0; e < m; e++)
        {
            q[e] += ap * dq[e];
            z[e] += ad * dz[e];
        }

        for (var k = 0; k < n; k++)
        {
            s[k] += ap * ds[k];
            y[k] += ad * dy[k];
        }

        Iterations++;
        Utilities();
        Complementarity = Products();
        return double.IsFinite(Complementarity);
    }

    private void Utilities()
    {
        Array.Fill(u, 0.0);
        for (var e = 0; e < m; e++)
        {
            var t = g[e] * q[e];
            u[from[e]] += t;
            u[to[e]] += t;
        }

        for (var k = 0; k < n; k++)
        {
            pi[k] = 1 / (eps + u[k]);
        }
    }

    private double Products()
    {
        double sum = 0;
        for (var e = 0; e < m; e++)
        {
            sum += q[e] * z[e];
        }

        for (var k = 0; k < n; k++)
        {
            sum += s[k] * y[k];
        }

        return sum;
    }

    private (double Primal, double Dual) StepLengths(double[] dqs, double[] dzs, double[] dss, double[] dys, double fraction)
    {
        double ap = 1 / fraction, ad = 1 / fraction;
        for (var e = 0; e < m; e++)
        {
            if (dqs[e] < 0)
            {
                ap = Math.Min(ap, -q[e] / dqs[e]);
            }

            if (dzs[e] < 0)
            {
                ad = Math.Min(ad, -z[e] / dzs[e]);
            }
        }

        for (var k = 0; k < n; k++)
        {
            if (dss[k] < 0)
            {
                ap = Math.Min(ap, -s[k] / dss[k]);
            }

            if (dys[k] < 0)
            {
                ad = Math.Min(ad, -y[k] / dys[k]);
            }
        }

        return (fraction * ap, fraction * ad);
    }
}
