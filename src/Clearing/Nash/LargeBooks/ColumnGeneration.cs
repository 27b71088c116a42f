using System.Diagnostics;

namespace V2V.Clearing.Nash.LargeBooks;

/// <summary>
/// Nash bargaining for large books (SPEC 4) by column generation: the optimum is sparse (at N = 2,000 about one pair in
/// 300 trades), so the interior point method (<see cref="RestrictedInteriorPoint"/>) runs on a working set of pairs,
/// and passes over the whole book (<see cref="FullBookPasses"/>) certify its quantities against every pair and add the
/// pairs whose reduced cost says they would improve the objective, until the certificate reaches the target.
/// </summary>
/// <remarks>
/// The first working set pairs each participant with its neighbours on two walks over the price-sorted sides (the
/// double auction's, highest bid with lowest ask, and the reverse one, highest bid with highest ask that it meets,
/// which is closer to where log utilities put the trades). Each round starts the interior point method afresh on the
/// working set; once its complementarity is <see cref="EarlyPricing"/> of the objective's scale it prices the book, and
/// a round whose reduced costs are still large stops there (its multipliers are good enough to choose the pairs to
/// add). Near the target each iterate is certified on the whole book; a pair left out that would improve the objective
/// then enlarges the certified gap, and pricing brings it in. The bound is always over every pair of the book, so a
/// working set that misses a trading pair can cost time but never accuracy.
/// </remarks>
internal sealed class ColumnGeneration
{
    // Sellers either side of a walked pair's seller that its buyer is also paired with in the first working set.
    private const int Band = 2;

    // Pairs listed per participant in each pricing pass.
    private const int PairsPerParticipant = 3;

    // A pricing pass during a round's first iterations, once the complementarity is this fraction of the objective's scale.
    private const double EarlyPricing = 1e-4;

    // Pairs whose reduced cost is above this fraction of their value g (mu_b + mu_s) are added in the early pricing.
    private const double EarlyRelative = 1e-3;

    // ...and above this fraction once the iterate is near the target.
    private const double LateRelative = 1e-9;

    // Certified evaluations without progress (no pair to add) before the best is returned uncertified.
    private const int StallEvaluations = 5;

    // The most off-diagonal blocks (fill included) of a working set's Newton matrix (4 doubles each).
    private const long MaxSlots = 64L << 20;

    private readonly LargeBook book;
    private readonly double minTradeKwh;
    private readonly FullBookPasses passes;
    private readonly HashSet<long> workingSet = [];
    private readonly List<long> pairs = [];

    public ColumnGeneration(LargeBook book, double minTradeKwh)
    {
        this.book = book;
        this.minTradeKwh = minTradeKwh;
        passes = new FullBookPasses(book, PairsPerParticipant);
    }

    /// <summary>Pairs (b * sellers + s, ascending) and quantities (kWh) of the best certificate.</summary>
    public long[] BestPairs { get; private set; } = [];

    public double[] BestQuantities { get; private set; } = [];

    public ClearingCertificate BestCertificate { get; private set; } =
        new(0, 0, double.PositiveInfinity, double.PositiveInfinity, 0);

    /// <summary>Rounds of the working set run (for the tests and the tuning log).</summary>
    public int RoundCount { get; private set; }

    /// <summary>Pairs in the last working set.</summary>
    public int WorkingSetSize => pairs.Count;

    public void Solve(double relativeGap, int maxIterations, long deadline)
    {
        if (book.GainScale == 0)
        {
            Keep([], [], 0, ClearingMethod.ClosedForm);
            return;
        }

        var iterations = Rounds(relativeGap, maxIterations, deadline);
        if (!double.IsFinite(BestCertificate.DualityGap))
        {
            // No iterate was certified (a step failed first): no trade at all, with its true bound, not certified.
            Keep([], [], iterations, ClearingMethod.ColumnGeneration);
        }
    }

    // The rounds of the working set; returns the interior point iterations run.
    private int Rounds(double relativeGap, int maxIterations, long deadline)
    {
        InitialWorkingSet();
        var iterations = 0;
        var stalled = 0;
        while (iterations < maxIterations && Stopwatch.GetTimestamp() < deadline)
        {
            RoundCount++;
            pairs.Sort();
            var round = Round.Build(book, pairs);
            var solver = new RestrictedInteriorPoint(round.Participants, round.From, round.To, round.Gain, round.Capacity, book.ScaledEpsilon);
            var started = solver.Start(MaxSlots);
            if (!started)
            {
                return iterations;
            }

            var priced = false;
            var grew = false;
            while (!grew && iterations < maxIterations && Stopwatch.GetTimestamp() < deadline)
            {
                if (!solver.Iterate())
                {
                    return iterations;
                }

                iterations++;
                var scale = Math.Max(1, Math.Abs(round.Objective(solver.Quantity, book)));
                if (!priced && solver.Complementarity <= EarlyPricing * scale)
                {
                    priced = true;
                    Certify(round, solver, iterations);
                    grew = Grow(round, solver, EarlyRelative);
                }
                else if (solver.Complementarity <= relativeGap * scale)
                {
                    if (Certify(round, solver, iterations) <= relativeGap)
                    {
                        return iterations;
                    }

                    grew = Grow(round, solver, LateRelative);
                    stalled = grew ? 0 : stalled + 1;
                    if (stalled >= StallEvaluations)
                    {
                        return iterations;
                    }
                }
            }
        }

        return iterations;
    }

    // The certificate of the iterate's quantities (trades below the minimum dropped); kept if the best so far.
    private double Certify(Round round, RestrictedInteriorPoint solver, int iterations)
    {
        var kwh = new double[pairs.Count];
        var quantity = solver.Quantity;
        for (var e = 0; e < kwh.Length; e++)
        {
            var x = quantity[e] * book.QuantityScale;
            kwh[e] = x >= minTradeKwh && x > 0 ? x : 0;
        }

        var (primal, gap) = passes.Certify(CollectionsMarshalSpan(pairs), kwh, round.Multipliers(solver.Multiplier, book));
        var relative = gap / Math.Max(1, Math.Abs(primal));
        if (relative < BestCertificate.RelativeGap || !double.IsFinite(BestCertificate.RelativeGap))
        {
            BestPairs = [.. pairs];
            BestQuantities = kwh;
            BestCertificate = new ClearingCertificate(primal, primal + gap, gap, relative, iterations, Method: ClearingMethod.ColumnGeneration);
        }

        return relative;
    }

    // Prices the book at the iterate's multipliers (Mu from the last Certify); true if pairs were added.
    private bool Grow(Round round, RestrictedInteriorPoint solver, double relative)
    {
        var before = pairs.Count;
        passes.Price(round.Multipliers(solver.Multiplier, book), relative, workingSet, pairs);
        return pairs.Count > before;
    }

    private void Keep(long[] keptPairs, double[] kwh, int iterations, ClearingMethod method)
    {
        var (primal, gap) = passes.Certify(keptPairs, kwh, new double[book.BuyerCount + book.SellerCount]);
        BestPairs = keptPairs;
        BestQuantities = kwh;
        BestCertificate = new ClearingCertificate(primal, primal + gap, gap, gap / Math.Max(1, Math.Abs(primal)), iterations, Method: method);
    }

    private void InitialWorkingSet()
    {
        int nb = book.BuyerCount, ns = book.SellerCount;
        var buyers = new List<int>();
        var sellers = new List<int>();
        for (var b = 0; b < nb; b++)
        {
            if (double.IsFinite(book.Bid[b]))
            {
                buyers.Add(b);
            }
        }

        for (var s = 0; s < ns; s++)
        {
            if (double.IsFinite(book.Ask[s]))
            {
                sellers.Add(s);
            }
        }

        // Highest bid first; sellers lowest ask first, then highest ask first; equal prices by id (index).
        buyers.Sort((x, y) => book.Bid[y] != book.Bid[x] ? book.Bid[y].CompareTo(book.Bid[x]) : x.CompareTo(y));
        sellers.Sort((x, y) => book.Ask[x] != book.Ask[y] ? book.Ask[x].CompareTo(book.Ask[y]) : x.CompareTo(y));
        if (buyers.Count == 0 || sellers.Count == 0)
        {
            return;
        }

        Walk(buyers, sellers);
        sellers.Reverse();
        Walk(buyers, sellers);
    }

    // Pairs the sides by quantile of their cumulative quantities in the given orders (every participant is walked, whichever
    // side holds more), each walked pair's buyer also with the Band sellers either side of its seller in that order.
    private void Walk(List<int> buyers, List<int> sellers)
    {
        int nb = book.BuyerCount;
        double totalB = 0, totalS = 0;
        foreach (var b in buyers)
        {
            totalB += book.Capacity[b];
        }

        foreach (var s in sellers)
        {
            totalS += book.Capacity[nb + s];
        }

        int i = 0, j = 0;
        double endB = book.Capacity[buyers[0]] / totalB, endS = book.Capacity[nb + sellers[0]] / totalS;
        while (i < buyers.Count && j < sellers.Count)
        {
            for (var k = Math.Max(0, j - Band); k <= Math.Min(sellers.Count - 1, j + Band); k++)
            {
                Add(buyers[i], sellers[k]);
            }

            if (endB <= endS)
            {
                i++;
                endB += i < buyers.Count ? book.Capacity[buyers[i]] / totalB : 0;
            }
            else
            {
                j++;
                endS += j < sellers.Count ? book.Capacity[nb + sellers[j]] / totalS : 0;
            }
        }
    }

    private void Add(int b, int s)
    {
        var pair = ((long)b * book.SellerCount) + s;
        if (book.Gain(b, s) > 0 && workingSet.Add(pair))
        {
            pairs.Add(pair);
        }
    }

    private static ReadOnlySpan<long> CollectionsMarshalSpan(List<long> list) =>
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list);
}
