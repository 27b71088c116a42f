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

        var donors = Donors.Of(q, nb, ns, minimum);
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
                var buyerDonor = fromBuyer > 0 ? donors.Largest(q, b, e, minimum + fromBuyer) : -1;
                var sellerDonor = fromSeller > 0 ? donors.Largest(q, nb + s, e, minimum + fromSeller) : -1;
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

    private static void Take(Span<double> q, Span<double> load, int e, int nb, int ns, double amount)
    {
        q[e] -= amount;
        load[e / ns] -= amount;
        load[nb + (e % ns)] -= amount;
    }

    /// <summary>
    /// Each participant's trades of at least the minimum (buyers' by seller, sellers' by buyer, ascending), the only ones
    /// that can give: a donor must keep minimum + what it gives (&gt; minimum), and a trade raised to the minimum never can.
    /// Listing them once makes a rounding pass cost O(pairs + small trades x trades per participant) instead of
    /// O(small trades x side): at N = 2,000 an interior iterate holds ~900,000 small trades (measured: the scan of every
    /// row took 53 % of a 2,000-order book).
    /// </summary>
    private sealed class Donors
    {
        private readonly int[] start;
        private readonly int[] edges;

        private Donors(int[] start, int[] edges)
        {
            this.start = start;
            this.edges = edges;
        }

        public static Donors Of(Span<double> q, int nb, int ns, double minimum)
        {
            var start = new int[nb + ns + 1];
            for (var e = 0; e < q.Length; e++)
            {
                if (q[e] >= minimum)
                {
                    start[(e / ns) + 1]++;
                    start[nb + (e % ns) + 1]++;
                }
            }

            for (var k = 0; k < nb + ns; k++)
            {
                start[k + 1] += start[k];
            }

            var next = start[..^1];
            var edges = new int[start[^1]];
            for (var e = 0; e < q.Length; e++)
            {
                if (q[e] >= minimum)
                {
                    edges[next[e / ns]++] = e;
                    edges[next[nb + (e % ns)]++] = e;
                }
            }

            return new Donors(start, edges);
        }

        // The largest listed trade of participant k other than `except` that is at least `floor` (the first in index order
        // among equals); -1 if none.
        public int Largest(Span<double> q, int k, int except, double floor)
        {
            var best = -1;
            for (var i = start[k]; i < start[k + 1]; i++)
            {
                var e = edges[i];
                if (e != except && q[e] >= floor && (best < 0 || q[e] > q[best]))
                {
                    best = e;
                }
            }

            return best;
        }
    }
}
