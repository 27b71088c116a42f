using V2V.Coordinator.Metrics;

namespace V2V.Coordinator.Tests.Metrics;

public sealed class MarketMetricsTests
{
    // Two trades worked by hand (eta = 1, grid 0.28):
    //   b1 buys 2 kWh from s1 at 0.20, v = 0.25, c = 0.15 -> b1 +0.10, s1 +0.10
    //   b2 buys 1 kWh from s1 at 0.22, v = 0.26, c = 0.16 -> b2 +0.04, s1 +0.06
    // SW = 2 * 0.10 + 1 * 0.10 = 0.30; volume 3; utilities {b1 0.10, b2 0.04, s1 0.16, s2 0 (never traded)}.
    private static readonly ScoredTrade[] Trades =
    [
        new(0, "b1", "s1", 0.20, 2, 0.25, 0.15, 0.28),
        new(1, "b2", "s1", 0.22, 1, 0.26, 0.16, 0.28),
    ];

    private static readonly string[] Agents = ["b1", "b2", "s1", "s2"];

    [Fact]
    public void Compute_HandWorkedTrades_WelfareVolumeAndDisplacement()
    {
        var m = MarketMetrics.Compute(Trades, [new(0, 3, 2), new(1, 3, 2)], Agents, efficiency: 1);
        Assert.Equal(0.30, m.SocialWelfareAud, 12);
        Assert.Equal(3, m.VolumeKwh, 12);
        Assert.Equal(3, m.GridEnergyDisplacedKwh, 12);
        Assert.Equal(0.84, m.GridValueDisplacedAud, 12);
        Assert.Equal(4.0 / 6.0, m.MatchRate, 12);
        Assert.Equal(2, m.Trades);
        Assert.Equal(4, m.AgentsEverActive);
    }

    [Fact]
    public void Compute_HandWorkedTrades_JainAndGiniOnUtilities()
    {
        // x = {0.10, 0.04, 0.16, 0}: sum 0.30, sum of squares 0.0372 -> Jain = 0.09 / (4 * 0.0372) = 0.604839
        // Gini: pairwise |x_i - x_j| summed over ordered pairs = 2 * (0.06 + 0.06 + 0.10 + 0.12 + 0.04 + 0.16) = 1.08
        //       / (2 * 16 * 0.075) = 0.45
        var m = MarketMetrics.Compute(Trades, [], Agents, efficiency: 1);
        Assert.Equal(0.09 / (4 * 0.0372), m.JainIndex, 12);
        Assert.Equal(0.45, m.GiniIndex, 12);
    }

    [Fact]
    public void Compute_HandWorkedTrades_QuantityWeightedPrice()
    {
        // mean = (2 * 0.20 + 1 * 0.22) / 3 = 0.206667; var = (2 * 0.006667^2 + 0.013333^2) / 3
        var m = MarketMetrics.Compute(Trades, [], Agents, efficiency: 1);
        var mean = 0.62 / 3;
        Assert.Equal(mean, m.PriceMeanAudPerKwh, 12);
        var variance = ((2 * Math.Pow(0.20 - mean, 2)) + Math.Pow(0.22 - mean, 2)) / 3;
        Assert.Equal(Math.Sqrt(variance), m.PriceStdAudPerKwh, 12);
    }

    [Fact]
    public void Compute_Efficiency_BuyerReceivesEtaQ()
    {
        // eta = 0.9: b1 gets 1.8 kWh valued 0.25 -> 0.45 - 0.40 = 0.05; SW = 2 (0.9 * 0.25 - 0.15) + (0.9 * 0.26 - 0.16)
        var m = MarketMetrics.Compute(Trades, [], Agents, efficiency: 0.9);
        Assert.Equal((2 * ((0.9 * 0.25) - 0.15)) + ((0.9 * 0.26) - 0.16), m.SocialWelfareAud, 12);
        Assert.Equal(2.7, m.GridEnergyDisplacedKwh, 12);
        Assert.Equal(0.05, MarketMetrics.AgentUtilities(Trades, Agents, 0.9)["b1"], 12);
    }

    [Fact]
    public void Compute_NoTrades_ZerosAndEquality()
    {
        var m = MarketMetrics.Compute([], [new(0, 4, 0)], Agents, efficiency: 1);
        Assert.Equal(0, m.SocialWelfareAud);
        Assert.Equal(0, m.MatchRate);
        Assert.Equal(1, m.JainIndex);
        Assert.Equal(0, m.GiniIndex);
        Assert.Equal((0, 0), (m.PriceMeanAudPerKwh, m.PriceStdAudPerKwh));
    }

    [Fact]
    public void AgentUtilities_SumEqualsSocialWelfare_MoneyCancels()
    {
        var utilities = MarketMetrics.AgentUtilities(Trades, Agents, 1);
        var m = MarketMetrics.Compute(Trades, [], Agents, 1);
        Assert.Equal(m.SocialWelfareAud, utilities.Values.Sum(), 12);
    }
}
