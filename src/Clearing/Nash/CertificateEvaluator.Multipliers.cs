using System.Numerics;
using System.Runtime.InteropServices;

namespace V2V.Clearing.Nash;

/// <summary>
/// The dual half of the certificate: mu from the returned utilities, lambda raised until every pair's dual constraint
/// holds and then lowered to the least its pairs allow, and the gap D - P they certify.
/// </summary>
internal sealed partial class CertificateEvaluator
{
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

        Deadline.Check();
        if (lpDual)
        {
            LpDual.Potentials(candidate, problem.TradableGain, mu, nb, ns, problem.CapacityOfSorted, lambda, Deadline);
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

        Deadline.Check();
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
