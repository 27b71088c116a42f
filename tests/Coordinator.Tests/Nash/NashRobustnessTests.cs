using V2V.Coordinator.Clearing;
using V2V.Market.Configuration;
using V2V.Market.Orders;
using static V2V.Coordinator.Tests.Contract.ContractBooks;

namespace V2V.Coordinator.Tests.Nash;

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
}
