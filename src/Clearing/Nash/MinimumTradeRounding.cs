namespace V2V.Clearing.Nash;

/// <summary>
/// The other way to honour SPEC 4's minimum trade: instead of dropping a trade the program's optimum puts below the
/// minimum m, raise it to m, taking what its ends lack from their largest other trades. Either way the quantities are
/// feasible, so the certificate stays a true bound; <see cref="CertificateEvaluator"/> certifies both and keeps the
/// better.
/// </summary>
/// <remarks>
/// Why both: a trade below m at the optimum fills a capacity residue (e.g. a buyer of 5.5 kWh whose best seller holds
/// 5.4999993 kWh). Dropped, its seller's utility falls from g q to 0, which costs log(1 + g q / eps), up to ~1e-8 of the
/// objective when the seller has no other trade (issue 17's book: 1.0e-8). Raised to m, the cost is only the difference
/// of the two trades' marginal values times m - q (the same book: ~8e-10). When the residue trade's seller holds other
/// trades, dropping costs less, and the evaluator keeps that.
/// </remarks>
internal static class MinimumTradeRounding
{
    /// <summary>
    /// Raises each trade of q (buyer-major, nb x ns, kWh) in (0, minimum) to minimum where its ends can give the
    /// difference (free capacity first, then their largest other trade while it stays >= minimum); leaves the rest,
    /// which the evaluator then drops. Returns whether any trade was below the minimum.
    /// </summary>
    public static bool RoundUp(Span<double> q, int nb, int ns, Func<int, double> capacity, double minimum, Span<double> load)
    {
        var any = false;
        load.Clear();
        for (var b = 0; b < nb; b++)
        {
            for (var s = 0; s < ns; s++)
            {
                load[b] += q[b * ns + s];
                load[nb + s] += q[b * ns + s];
            }
        }

        for (var b = 0; b < nb; b++)
        {
            for (var s = 0; s < ns; s++)
            {
                var e = b * ns + s;
                if (!(q[e] > 0 && q[e] < minimum))
                {
                    continue;
                }

                any = true;
                var need = minimum - q[e];
                var fromBuyer = Math.Max(0, need - Math.Max(0, capacity(b) - load[b]));
                var fromSeller = Math.Max(0, need - Math.Max(0, capacity(nb + s) - load[nb + s]));
                var buyerDonor = fromBuyer > 0 ? Donor(q, b, ns, s, true, minimum + fromBuyer) : -1;
                var sellerDonor = fromSeller > 0 ? Donor(q, s, ns, b, false, minimum + fromSeller) : -1;
                if ((fromBuyer > 0 && buyerDonor < 0) || (fromSeller > 0 && sellerDonor < 0) || (buyerDonor >= 0 && buyerDonor == sellerDonor))
                {
                    continue;
                }

                if (buyerDonor >= 0)
                {
                    Take(q, load, buyerDonor, nb, ns, fromBuyer);
                }

                if (sellerDonor >= 0)
                {
                    Take(q, load, sellerDonor, nb, ns, fromSeller);
                }

                q[e] = minimum;
                load[b] += need;
                load[nb + s] += need;
            }
        }

        return any;
    }

    // The largest other trade (index) of buyer `index` (or seller) that stays >= its floor after giving; -1 if none.
    private static int Donor(Span<double> q, int index, int ns, int except, bool buyer, double floor)
    {
        var nb = q.Length / ns;
        var best = -1;
        var count = buyer ? ns : nb;
        for (var k = 0; k < count; k++)
        {
            if (k == except)
            {
                continue;
            }

            var e = buyer ? index * ns + k : k * ns + index;
            if (q[e] >= floor && (best < 0 || q[e] > q[best]))
            {
                best = e;
            }
        }

        return best;
    }

    private static void Take(Span<double> q, Span<double> load, int e, int nb, int ns, double amount)
    {
        q[e] -= amount;
        load[e / ns] -= amount;
        load[nb + (e % ns)] -= amount;
    }
}
