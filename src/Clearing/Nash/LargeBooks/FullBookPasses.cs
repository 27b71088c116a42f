using System.Numerics;

namespace V2V.Clearing.Nash.LargeBooks;

/// <summary>
/// The passes of <see cref="ColumnGeneration"/> over every pair of a large book, a buyer's row of sellers at a time in
/// SIMD, with each gain recomputed from the two prices: the certificate of the returned quantities (a dual point
/// feasible for every pair of the book, not only the working set) and the pricing of the pairs left out.
/// </summary>
/// <remarks>
/// Certificate (SPEC 4, as <see cref="CertificateEvaluator"/>): mu_k = 1 / (eps + u_k) at the returned quantities, and
/// lambda from the restricted solve's multipliers made feasible for g (mu_b + mu_s) &lt;= lambda_b + lambda_s on every pair
/// in the program: each deficit split between both ends, then each seller's lowered to the least its pairs allow, then
/// each buyer's. The last pass ends feasible whatever came before, so the bound is true. Then D - P = sum_k lambda_k Q_k -
/// sum_k mu_k u_k. A pair left out of the working set whose reduced cost g (mu_b + mu_s) - lambda_b - lambda_s is
/// positive at the restricted multipliers could improve the objective (it is the gradient of the Lagrangian along that
/// pair): pricing lists the most positive ones per participant (Dantzig and Wolfe, "Decomposition principle for linear
/// programs", Operations Research 8, 1960; for nonlinear objectives, Bertsekas, "Nonlinear Programming", 3rd ed., 2016,
/// sec. 6.4).
/// </remarks>
internal sealed class FullBookPasses
{
    private readonly LargeBook book;
    private readonly int nb;
    private readonly int ns;
    private readonly double[] need;
    private readonly double[] topValue;
    private readonly long[] topPair;

    public FullBookPasses(LargeBook book, int perParticipant)
    {
        this.book = book;
        nb = book.BuyerCount;
        ns = book.SellerCount;
        PerParticipant = perParticipant;
        Utility = new double[nb + ns];
        Mu = new double[nb + ns];
        Lambda = new double[nb + ns];
        need = new double[ns];
        topValue = new double[(nb + ns) * perParticipant];
        topPair = new long[(nb + ns) * perParticipant];
    }

    /// <summary>Most pairs listed per participant by <see cref="Price"/>.</summary>
    public int PerParticipant { get; }

    /// <summary>u_k (AUD) at the quantities last certified.</summary>
    public double[] Utility { get; }

    /// <summary>mu_k = 1 / (eps + u_k) at the quantities last certified.</summary>
    public double[] Mu { get; }

    /// <summary>The certificate's capacity multipliers (1/kWh).</summary>
    public double[] Lambda { get; }

    /// <summary>
    /// The certificate of quantities <paramref name="kwh"/> on pairs <paramref name="pairs"/> (b * sellers + s), starting
    /// the multipliers from <paramref name="lambdaStart"/> (buyers, then sellers).
    /// </summary>
    public (double Primal, double Gap) Certify(ReadOnlySpan<long> pairs, ReadOnlySpan<double> kwh, ReadOnlySpan<double> lambdaStart)
    {
        Array.Clear(Utility);
        for (var e = 0; e < pairs.Length; e++)
        {
            if (kwh[e] > 0)
            {
                int b = (int)(pairs[e] / ns), s = (int)(pairs[e] % ns);
                var t = book.Gain(b, s) * kwh[e];
                Utility[b] += t;
                Utility[nb + s] += t;
            }
        }

        double primal = 0, paid = 0;
        for (var k = 0; k < nb + ns; k++)
        {
            Mu[k] = 1 / (book.Epsilon + Utility[k]);
            paid += Mu[k] * Utility[k];
            if (book.InObjective[k])
            {
                primal += Math.Log(book.Epsilon + Utility[k]);
            }
        }

        // Raise: every pair's deficit g (mu_b + mu_s) - lambda_b - lambda_s, split between both ends, pair by pair.
        lambdaStart.CopyTo(Lambda);
        for (var b = 0; b < nb; b++)
        {
            if (double.IsFinite(book.Bid[b]))
            {
                Raise(b);
            }
        }

        // Tighten: sellers to the least lambda_s with g (mu_b + mu_s) - lambda_b <= lambda_s for every buyer.
        Array.Clear(need);
        for (var b = 0; b < nb; b++)
        {
            if (double.IsFinite(book.Bid[b]))
            {
                SellerNeeds(b, Lambda[b]);
            }
        }

        need.CopyTo(Lambda, nb);

        // Buyers: the least lambda_b given those sellers'.
        for (var b = 0; b < nb; b++)
        {
            Lambda[b] = double.IsFinite(book.Bid[b]) ? BuyerNeed(b) : 0;
        }

        double charged = 0;
        for (var k = 0; k < nb + ns; k++)
        {
            charged += Lambda[k] * book.Capacity[k];
        }

        return (primal, charged - paid);
    }

    /// <summary>
    /// Lists pairs outside the working set whose reduced cost at <see cref="Mu"/> and <paramref name="lambda"/> exceeds
    /// <paramref name="relative"/> of the pair's value g (mu_b + mu_s): up to <see cref="PerParticipant"/> of the largest
    /// per buyer and per seller, added to <paramref name="found"/> once each, in ascending pair order.
    /// </summary>
    public void Price(ReadOnlySpan<double> lambda, double relative, HashSet<long> workingSet, List<long> found)
    {
        Array.Fill(topValue, 0.0);
        Array.Fill(topPair, -1L);
        var width = Vector<double>.Count;
        var half = new Vector<double>(0.5);
        var factor = new Vector<double>(1 - relative);
        for (var b = 0; b < nb; b++)
        {
            var bid = book.Bid[b];
            if (!double.IsFinite(bid))
            {
                continue;
            }

            var bidV = new Vector<double>(bid);
            var muB = new Vector<double>(Mu[b]);
            var lambdaB = new Vector<double>(lambda[b]);
            var s = 0;
            for (; s + width <= ns; s += width)
            {
                var gain = Vector.Max(bidV - new Vector<double>(book.Ask.AsSpan(s)), Vector<double>.Zero) * half;
                var value = gain * (muB + new Vector<double>(Mu.AsSpan(s + nb)));
                var price = lambdaB + new Vector<double>(lambda[(nb + s)..]);
                if (Vector.GreaterThanAny(value * factor, price))
                {
                    for (var l = 0; l < width; l++)
                    {
                        Consider(b, s + l, lambda, relative, workingSet);
                    }
                }
            }

            for (; s < ns; s++)
            {
                Consider(b, s, lambda, relative, workingSet);
            }
        }

        // Candidates in descending reduced cost, each end taking at most PerParticipant of them: a participant the working
        // set starves is every buyer's best partner at once, and a hub of them would be wasted.
        var candidates = new List<(double Reduced, long Pair)>();
        for (var t = 0; t < topPair.Length; t++)
        {
            if (topPair[t] >= 0)
            {
                candidates.Add((topValue[t], topPair[t]));
            }
        }

        candidates.Sort((x, y) => x.Reduced != y.Reduced ? y.Reduced.CompareTo(x.Reduced) : x.Pair.CompareTo(y.Pair));
        var taken = new int[nb + ns];
        foreach (var (_, pair) in candidates)
        {
            int b = (int)(pair / ns), s = nb + (int)(pair % ns);
            if (taken[b] < PerParticipant && taken[s] < PerParticipant && workingSet.Add(pair))
            {
                taken[b]++;
                taken[s]++;
                found.Add(pair);
            }
        }
    }

    private void Consider(int b, int s, ReadOnlySpan<double> lambda, double relative, HashSet<long> workingSet)
    {
        var value = book.Gain(b, s) * (Mu[b] + Mu[nb + s]);
        var reduced = value - lambda[b] - lambda[nb + s];
        if (!(reduced > relative * value) || value == 0)
        {
            return;
        }

        var pair = ((long)b * ns) + s;
        if (workingSet.Contains(pair))
        {
            return;
        }

        Insert(b, reduced, pair);
        Insert(nb + s, reduced, pair);
    }

    // Keeps participant k's PerParticipant largest reduced costs, in descending order.
    private void Insert(int k, double reduced, long pair)
    {
        var at = k * PerParticipant;
        var last = at + PerParticipant - 1;
        if (!(reduced > topValue[last]))
        {
            return;
        }

        var i = last;
        while (i > at && reduced > topValue[i - 1])
        {
            topValue[i] = topValue[i - 1];
            topPair[i] = topPair[i - 1];
            i--;
        }

        topValue[i] = reduced;
        topPair[i] = pair;
    }

    // Splits each deficit of buyer b's row between both ends (the vector test finds the rare rows that have any).
    private void Raise(int b)
    {
        var width = Vector<double>.Count;
        var bidV = new Vector<double>(book.Bid[b]);
        var half = new Vector<double>(0.5);
        var muB = new Vector<double>(Mu[b]);
        var s = 0;
        for (; s + width <= ns; s += width)
        {
            var gain = Vector.Max(bidV - new Vector<double>(book.Ask.AsSpan(s)), Vector<double>.Zero) * half;
            var value = gain * (muB + new Vector<double>(Mu.AsSpan(nb + s)));
            if (Vector.GreaterThanAny(value, new Vector<double>(Lambda[b]) + new Vector<double>(Lambda.AsSpan(nb + s))))
            {
                for (var l = 0; l < width; l++)
                {
                    RaisePair(b, s + l);
                }
            }
        }

        for (; s < ns; s++)
        {
            RaisePair(b, s);
        }
    }

    private void RaisePair(int b, int s)
    {
        var deficit = (book.Gain(b, s) * (Mu[b] + Mu[nb + s])) - Lambda[b] - Lambda[nb + s];
        if (deficit > 0)
        {
            Lambda[b] += deficit / 2;
            Lambda[nb + s] += deficit - (deficit / 2);
        }
    }

    private void SellerNeeds(int b, double lambdaB)
    {
        var width = Vector<double>.Count;
        var bidV = new Vector<double>(book.Bid[b]);
        var half = new Vector<double>(0.5);
        var muB = new Vector<double>(Mu[b]);
        var lambdaV = new Vector<double>(lambdaB);
        var s = 0;
        for (; s + width <= ns; s += width)
        {
            var gain = Vector.Max(bidV - new Vector<double>(book.Ask.AsSpan(s)), Vector<double>.Zero) * half;
            var value = gain * (muB + new Vector<double>(Mu.AsSpan(nb + s)));
            Vector.Max(new Vector<double>(need.AsSpan(s)), value - lambdaV).CopyTo(need.AsSpan(s));
        }

        for (; s < ns; s++)
        {
            need[s] = Math.Max(need[s], (book.Gain(b, s) * (Mu[b] + Mu[nb + s])) - lambdaB);
        }
    }

    private double BuyerNeed(int b)
    {
        var width = Vector<double>.Count;
        var bidV = new Vector<double>(book.Bid[b]);
        var half = new Vector<double>(0.5);
        var muB = new Vector<double>(Mu[b]);
        var most = Vector<double>.Zero;
        var s = 0;
        for (; s + width <= ns; s += width)
        {
            var gain = Vector.Max(bidV - new Vector<double>(book.Ask.AsSpan(s)), Vector<double>.Zero) * half;
            var value = gain * (muB + new Vector<double>(Mu.AsSpan(nb + s)));
            most = Vector.Max(most, value - new Vector<double>(Lambda.AsSpan(nb + s)));
        }

        double result = 0;
        for (var l = 0; l < width; l++)
        {
            result = Math.Max(result, most[l]);
        }

        for (; s < ns; s++)
        {
            result = Math.Max(result, (book.Gain(b, s) * (Mu[b] + Mu[nb + s])) - Lambda[nb + s]);
        }

        return result;
    }
}
