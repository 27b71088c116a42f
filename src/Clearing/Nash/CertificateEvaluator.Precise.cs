namespace V2V.Clearing.Nash;

/// <summary>
/// The certificate of the candidate quantities computed in double-double arithmetic (<see cref="DoubleDouble"/>), for
/// small books the double-precision certificate did not certify.
/// </summary>
/// <remarks>
/// Why: on books whose quantities span 1e-9 .. 1e6 kWh with eps down to 1e-9, mu = 1 / (eps + u) spans ~1e9 .. 1e-6,
/// and a participant's capacity multiplier is a small difference of pair profits g (mu_b + mu_s) ~1e8 (lambda_s =
/// c_e - lambda_b along a trade). In double such a lambda keeps ~1e-8 absolute, and times a capacity of 1e6 kWh that is
/// ~1e-2 of certificate on quantities that are optimal to 1e-11 by an independent bound (measured on 2026-12-07: about
/// half of the uncertified books of the scales family were of this kind). Here the utilities, mu, the pair profits, the
/// transportation LP's optimal potentials (<see cref="TransportationFlow"/>), the raise, the lowering and the gap
/// sum_k lambda_k Q_k - sum_k mu_k u_k are all carried to ~32 digits, from the returned (double) quantities, so the
/// bound is the one of the quantities actually returned, to ~1e-20 relative.
/// </remarks>
internal sealed partial class CertificateEvaluator
{
    /// <summary>
    /// Certifies the candidate (feasible, sorted layout) in double-double with the transportation LP's optimal dual at its
    /// mu, or, given <paramref name="multipliers"/> (a book too large for the LP here), with those, raised and lowered as
    /// the LP's are; keeps it if better than the best so far (reported as LP-dual multipliers). Returns its relative gap.
    /// </summary>
    private double ConsiderPrecise(int iterations, double[]? multipliers = null)
    {
        var n = nb + ns;
        var u = new DoubleDouble[n];
        var gain = problem.PairGain;
        for (var b = 0; b < nb; b++)
        {
            for (var s = 0; s < ns; s++)
            {
                var q = candidate[b * ns + s];
                if (q > 0)
                {
                    var gq = DoubleDouble.Product(gain[b * ns + s], q);
                    u[b] += gq;
                    u[nb + s] += gq;
                }
            }
        }

        var eps = problem.Epsilon;
        var m = new DoubleDouble[n];
        var primal = 0.0;
        for (var k = 0; k < n; k++)
        {
            var x = u[k] + eps;
            m[k] = 1.0 / x;
            if (problem.InObjective[k])
            {
                primal += Math.Log(x.Hi) + (x.Lo / x.Hi);
            }
        }

        Deadline.Check();
        var tradable = problem.TradableGain;
        var profit = new DoubleDouble[nb * ns];
        for (var e = 0; e < profit.Length; e++)
        {
            profit[e] = tradable[e] > 0 ? (m[e / ns] + m[nb + (e % ns)]) * tradable[e] : DoubleDouble.Zero;
        }

        var l = new DoubleDouble[n];
        if (multipliers is null)
        {
            TransportationFlow.Solve(profit, nb, ns, problem.CapacityOfSorted, new double[nb * ns], l, Deadline);
        }
        else
        {
            for (var k = 0; k < n; k++)
            {
                l[k] = Math.Max(0, multipliers[k]);
            }
        }

        Deadline.Check();

        // Raise (half the deficit at each end) until every pair's constraint holds, then lower each end to the least its
        // pairs allow, buyers first (as Certify and Tighten do in double).
        for (var e = 0; e < profit.Length; e++)
        {
            int b = e / ns, s = nb + (e % ns);
            var deficit = profit[e] - l[b] - l[s];
            if (deficit > DoubleDouble.Zero)
            {
                var half = deficit * 0.5;
                l[b] += half;
                l[s] += deficit - half;
            }
        }

        var need = new DoubleDouble[n];
        for (var e = 0; e < profit.Length; e++)
        {
            int b = e / ns, s = nb + (e % ns);
            need[b] = DoubleDouble.Max(need[b], profit[e] - l[s]);
        }

        for (var b = 0; b < nb; b++)
        {
            l[b] = DoubleDouble.Min(l[b], need[b]);
        }

        for (var e = 0; e < profit.Length; e++)
        {
            int b = e / ns, s = nb + (e % ns);
            need[s] = DoubleDouble.Max(need[s], profit[e] - l[b]);
        }

        var gap = DoubleDouble.Zero;
        for (var k = 0; k < n; k++)
        {
            l[k] = k < nb ? l[k] : DoubleDouble.Min(l[k], need[k]);
            gap += (l[k] * problem.CapacityOfSorted(k)) - (m[k] * u[k]);
        }

        var g = Math.Max(0, gap.Value);
        var certificate = new ClearingCertificate(primal, primal + g, g, g / Math.Max(1, Math.Abs(primal)), iterations);
        lpDual = true;
        try
        {
            return Consider(certificate);
        }
        finally
        {
            lpDual = false;
        }
    }
}
