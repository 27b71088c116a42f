using V2V.Benchmarks.Clearing;
using V2V.Clearing;
using V2V.Market.Configuration;
using V2V.Market.Orders;
using static V2V.Clearing.Tests.Contract.ContractBooks;

namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// Issue 17: books on which the Nash solver once returned a NaN certificate (and NaN trades), checked against the
/// test's own dual bound (<see cref="NashDualBound"/>), not the solver's certificate code.
/// </summary>
public sealed class NashRobustnessTests
{
    private static readonly ClearingConfig NashConfig = Config(ClearingMechanisms.NashName);

    /// <summary>
    /// One buyer of 5.5 kWh, two sellers a hair under it (the better one 6.6e-7 kWh short): the program's optimum
    /// fills the buyer with a 6.6e-7 kWh trade with the other seller, below the minimum trade. Its certificate could
    /// not pass, the solver iterated on until a Newton solve gave NaN, and the NaN certificate replaced the best one.
    /// </summary>
    internal static OrderBook Issue17Book => Book(
        [Bid("b", 0.2435866513848305, 5.5)],
        [Ask("s1", 0.24313161313533788, 5.499997049570084), Ask("s2", 0.24175695687532428, 5.4999993443489075)]);

    [Fact]
    public void NashBargaining_Issue17Book_FiniteCertificateWithinTheGap()
    {
        var result = new NashBargaining(NashConfig).Clear(Issue17Book);

        var c = result.Certificate!;
        Assert.True(double.IsFinite(c.PrimalObjective) && double.IsFinite(c.DualObjective), $"certificate {c}");
        Assert.True(c.RelativeGap <= NashConfig.SolverRelativeGap, $"gap {c.RelativeGap:E2}");
        NashBookChecks.AssertSound(Issue17Book, result, NashConfig);
    }

    [Fact]
    public void NashBargaining_QuantitiesSpanningEightDecades_FallsBackToTheLogBarrierAndCertifies()
    {
        // One buyer of 21,055 kWh, sellers of 1.2e-3 .. 8.5e4 kWh: the interior point method stalls (200 iterations
        // at a relative gap of 61, the 68.45 kWh seller given 31 kWh); the reference solver's optimum gives every seller
        // but the largest all it has.
        var book = new OrderBook(
            [Bid("b0", 0.23268234, 21055.23049141424)],
            [Ask("s0", 0.10300655, 0.0011993888302683426), Ask("s1", 0.15433085, 0.006296656471220323),
             Ask("s2", 0.10194845, 68.45182005291197), Ask("s3", 0.09618935, 85441.72345939945)],
            0.007727553135465551);
        var config = NashConfig with { MinTradeKwh = 0, SolverMaxIterations = 200 };

        var result = new NashBargaining(config).Clear(book);

        Assert.Equal(ClearingMethod.LogBarrier, result.Certificate!.Method);
        Assert.True(result.Certificate.Certified, $"{result.Certificate}");
        NashBookChecks.AssertSound(book, result, config);
        var reference = ReferenceNashSolver.Solve(new NashInstance(book));
        Assert.Equal(reference.Objective, result.Certificate.PrimalObjective, 1e-9 * Math.Abs(reference.Objective));
        Assert.Equal(68.45182005291197, result.Trades.Single(t => t.SellerId == "s2").EnergyKwh, 1e-6);
    }

    [Fact]
    public void NashBargaining_OneIterationBudgetOnABookBeyondTheFallback_ReportsNotCertifiedWithAFiniteTrueBound()
    {
        // 20 x 20 = 400 pairs, more than the log-barrier fallback takes on, so one interior point iteration is all.
        var book = BookGenerator.AllPairsFeasible(40, 0);
        var config = NashConfig with { SolverMaxIterations = 1 };

        var result = new NashBargaining(config).Clear(book);

        Assert.False(result.Certificate!.Certified);
        Assert.Equal(ClearingMethod.InteriorPoint, result.Certificate.Method);
        Assert.Equal(1, result.Certificate.Iterations);
        Assert.True(result.Certificate.RelativeGap > config.SolverRelativeGap);
        NashBookChecks.AssertSound(book, result, config);
    }
}
