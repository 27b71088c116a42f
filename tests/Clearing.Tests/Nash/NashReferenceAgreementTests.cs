using FsCheck;
using FsCheck.Fluent;
using V2V.Benchmarks.Clearing;
using V2V.Clearing;
using V2V.Clearing.Tests.Contract;
using V2V.Market.Orders;
using static V2V.Clearing.Tests.Contract.ContractBooks;

namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// Nash bargaining against <see cref="ReferenceNashSolver"/> on random books of up to 20 agents: the SPEC 4
/// objective of the returned trades equals the certified reference optimum to 1e-7 relative, and the
/// utilities agree (the optimal utilities are unique, the quantities in general are not).
/// </summary>
public sealed class NashReferenceAgreementTests
{
    /// <summary>Objective agreement asked of the mechanism, relative to max(1, |optimum|).</summary>
    private const double ObjectiveTolerance = 1e-7;

    /// <summary>Utility agreement (AUD) asked beyond what the two certified gaps allow (see the utility check).</summary>
    private const double UtilityToleranceAud = 1e-9;

    /// <summary>
    /// How tightly the reference must be certified by the test's own dual bound (relative), ten times tighter than
    /// the agreement asked of the mechanism. It was 1e-10, which the barrier reference misses on about one random
    /// run in ten (measured: 3.7e-10 below the optimum on a 7 x 9 book whose optimum the mechanism certified to 1e-12).
    /// </summary>
    private const double ReferenceTolerance = 1e-8;

    private static readonly IClearingMechanism Nash = new NashBargaining(Config(ClearingMechanisms.NashName));

    [Fact]
    public void ReferenceSolver_TwoByTwoBook_FindsTheHandSolvedOptimum()
    {
        // The book of NashHandSolvedTests.NashBargaining_TwoByTwoBook_MatchesKktSolution: every u_k = 0.10.
        var book = Book(
            [Bid("b1", 0.26, 2), Bid("b2", 0.22, 4)],
            [Ask("s1", 0.14, 2), Ask("s2", 0.18, 4)]);

        var reference = ReferenceNashSolver.Solve(new NashInstance(book));

        Assert.All(reference.Utilities, u => Assert.Equal(0.10, u, 1e-9));
        Assert.Equal(4 * Math.Log(1e-3 + 0.10), reference.Objective, 1e-10);
        Assert.InRange(reference.UpperBound - reference.Objective, -1e-12, 1e-10);
    }

    [Fact]
    public void TransportationLp_SmallBook_MatchesEnumeratedVertices()
    {
        // Two buyers (Q 2, 3), two sellers (Q 4, 1), profits c11 = 5, c12 = 4, c21 = 3, c22 = 1. Supply equals
        // demand, so an optimum is a vertex fixed by x12 in {0, 1}: x12 = 1 gives x11 = 1, x21 = 3, value
        // 4 + 5 + 9 = 18; x12 = 0 gives x22 = 1, x11 = 2, x21 = 2, value 1 + 10 + 6 = 17. Optimum 18.
        var value = TransportationLp.Max(2, 2, [0, 1, 2, 3], [5, 4, 3, 1], [2, 3], [4, 1]);

        Assert.Equal(18, value, 12);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(10)]
    [InlineData(15)]
    [InlineData(20)]
    public void NashBargaining_SeededBenchmarkBooks_MatchesReferenceOptimum(int agents)
    {
        for (var seed = 0; seed < 3; seed++)
        {
            AssertAgreesWithReference(BookGenerator.MostPairsFeasible(agents, seed));
            AssertAgreesWithReference(BookGenerator.AllPairsFeasible(agents, seed));
        }
    }

    [Fact]
    public void NashBargaining_RandomBooks_MatchesReferenceOptimum()
    {
        // The contract suite's generator (equal prices, zero quantities, empty sides), 0-20 agents.
        Prop.ForAll(BookGenerators.CentiKwhBooks(maxPerSide: 10), generated => AssertAgreesWithReference(generated.ToBook()))
            .Check(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(60));
    }

    [Fact]
    public void NashBargaining_BookWhereTheBoundAtTheReferenceIsLoose_MatchesReferenceOptimum()
    {
        // Found by the property above (FsCheck seed 6851771846066385690,15276981607934891227): the dual bound at the
        // reference's own utilities was 3.2e-5 (relative) above its objective, at the mechanism's 2e-11.
        Order Bid(string id, double price, double kwh) => new(id, price, kwh);
        var bids = new[]
        {
            Bid("b0", 0.1867, 2.58), Bid("b1", 0.0904, 2.06), Bid("b2", 0.05, 2.41), Bid("b3", 0.1777, 0), Bid("b4", 0.2499, 1.84),
            Bid("b5", 0.13, 2.7), Bid("b6", 0.2611, 0.46), Bid("b7", 0.2291, 0), Bid("b8", 0.2587, 0.84), Bid("b9", 0.28, 0.11),
        };
        var asks = new[]
        {
            Bid("s0", 0.17, 1.71), Bid("s1", 0.2, 1.25), Bid("s2", 0.109, 2.58), Bid("s3", 0.24, 2.5), Bid("s4", 0.1782, 0),
            Bid("s5", 0.24, 1.97), Bid("s6", 0.0562, 2.16),
        };
        AssertAgreesWithReference(new OrderBook(bids, asks, 1e-3));
    }

    internal static void AssertAgreesWithReference(OrderBook book)
    {
        var instance = new NashInstance(book);
        var reference = ReferenceNashSolver.Solve(instance);
        var scale = Math.Max(1, Math.Abs(reference.Objective));

        var result = Nash.Clear(book);
        var quantities = instance.QuantitiesOf(result.Trades);
        Assert.True(instance.MaxOverrun(quantities) <= ClearingInvariants.QuantityToleranceKwh, "capacity exceeded");
        var utilities = instance.UtilitiesOfQuantities(quantities);
        var objective = instance.Objective(utilities);

        // The test's own dual bound holds at any feasible point's utilities, so the smaller of the two is an upper
        // bound on the optimum too. It is a Frank-Wolfe gap, first order in the distance from the optimal
        // utilities: at the barrier's answer it can be loose where the barrier's utilities are ~1e-4 off while its
        // objective is within 1e-11 (found by the random-book property; see the test above).
        var bound = Math.Min(reference.UpperBound, NashDualBound.At(instance, utilities));
        Assert.InRange(bound - reference.Objective, -1e-12 * scale, ReferenceTolerance * scale);

        // Feasible trades can never beat a valid upper bound, and must reach the optimum.
        Assert.True(objective <= bound + 1e-12 * scale, $"objective {objective:R} above the bound {bound:R}");
        Assert.True(
            Math.Abs(objective - reference.Objective) <= ObjectiveTolerance * scale,
            $"objective {objective:R}, reference {reference.Objective:R}, relative {(objective - reference.Objective) / scale:E2}");
        // The optimal utilities are unique, and a feasible point's are as close to them as its gap allows: with
        // f(u) = sum_k log(eps + u_k) concave, optimal at u* (so grad f(u*) . (u - u*) <= 0),
        //   f(u*) - f(u) >= sum_k (u_k - u*_k)^2 / (2 (eps + max(u_k, u*_k))^2),
        // so |u_k - u*_k| <= (eps + max) sqrt(2 gap). Both answers are held to their gaps against the test's bound
        // (a fixed 1e-6 AUD was tighter than a 1e-9 relative gap guarantees, and failed on random books).
        double rootOurs = Math.Sqrt(2 * Math.Max(0, bound - objective)), rootReference = Math.Sqrt(2 * Math.Max(0, bound - reference.Objective));
        for (var k = 0; k < instance.Participants; k++)
        {
            var tolerance = ((instance.Epsilon + Math.Max(utilities[k], reference.Utilities[k])) * (rootOurs + rootReference)) + UtilityToleranceAud;
            Assert.True(
                Math.Abs(utilities[k] - reference.Utilities[k]) <= tolerance,
                $"participant {k}: utility {utilities[k]:R}, reference {reference.Utilities[k]:R}, allowed {tolerance:E2}");
        }
    }
}
