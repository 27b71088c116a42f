using FsCheck;
using FsCheck.Fluent;
using V2V.Benchmarks.Clearing;
using V2V.Coordinator.Clearing;
using V2V.Coordinator.Tests.Contract;
using V2V.Market.Orders;
using static V2V.Coordinator.Tests.Contract.ContractBooks;

namespace V2V.Coordinator.Tests.Nash;

/// <summary>
/// Nash bargaining against <see cref="ReferenceNashSolver"/> on random books of up to 20 agents: the SPEC 4
/// objective of the returned trades equals the certified reference optimum to 1e-7 relative, and the
/// utilities agree (the optimal utilities are unique, the quantities in general are not).
/// </summary>
public sealed class NashReferenceAgreementTests
{
    /// <summary>Objective agreement asked of the mechanism, relative to max(1, |optimum|).</summary>
    private const double ObjectiveTolerance = 1e-7;

    /// <summary>
    /// Utility agreement (AUD; utilities are up to ~0.4). The objective is strongly concave in u, so a
    /// converged solver pins u far tighter than its objective tolerance alone guarantees.
    /// </summary>
    private const double UtilityToleranceAud = 1e-6;

    /// <summary>How tightly the reference certifies itself with our own dual bound.</summary>
    private const double ReferenceTolerance = 1e-10;

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

    internal static void AssertAgreesWithReference(OrderBook book)
    {
        var instance = new NashInstance(book);
        var reference = ReferenceNashSolver.Solve(instance);
        var scale = Math.Max(1, Math.Abs(reference.Objective));
        Assert.InRange(reference.UpperBound - reference.Objective, -1e-12 * scale, ReferenceTolerance * scale);

        var result = Nash.Clear(book);
        var quantities = instance.QuantitiesOf(result.Trades);
        Assert.True(instance.MaxOverrun(quantities) <= ClearingInvariants.QuantityToleranceKwh, "capacity exceeded");
        var utilities = instance.UtilitiesOfQuantities(quantities);
        var objective = instance.Objective(utilities);

        // Feasible trades can never beat a valid upper bound, and must reach the optimum.
        Assert.True(objective <= reference.UpperBound + 1e-12 * scale, $"objective {objective:R} above the bound {reference.UpperBound:R}");
        Assert.True(
            Math.Abs(objective - reference.Objective) <= ObjectiveTolerance * scale,
            $"objective {objective:R}, reference {reference.Objective:R}, relative {(objective - reference.Objective) / scale:E2}");
        for (var k = 0; k < instance.Participants; k++)
        {
            Assert.True(
                Math.Abs(utilities[k] - reference.Utilities[k]) <= UtilityToleranceAud,
                $"participant {k}: utility {utilities[k]:R}, reference {reference.Utilities[k]:R}");
        }
    }
}
