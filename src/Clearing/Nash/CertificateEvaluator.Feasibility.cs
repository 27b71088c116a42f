using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace V2V.Clearing.Nash;

/// <summary>
/// The primal half of the certificate: the iterate's quantities made feasible as SPEC 4 returns them (trades below the
/// minimum dropped, the capacity they held rerouted along the remaining trades and topped up, capacities exact in
/// floating point).
/// </summary>
internal sealed partial class CertificateEvaluator
{
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

        Deadline.Check();
        if (freed.AsSpan().ContainsAnyExcept(0.0))
        {
            Reroute();
        }

        Deadline.Check();
        Fill();
        for (var pass = 0; pass < 8; pass++)
        {
            Deadline.Check();
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
            // O(trades^2) per participant: an interior iterate of 5,000 orders trades on every pair, ~10 s in all.
            Deadline.Check();
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

        // O(smaller side^3), seconds at 10,000 orders; arrays rented here and not returned when it stops are collected.
        DenseCholesky.Factor(schur.AsSpan(0, nk * nk), nk, Deadline);
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
}
