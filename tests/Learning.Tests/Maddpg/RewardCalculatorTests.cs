using V2V.Clearing;
using V2V.Learning.Environment;
using V2V.Learning.Maddpg;
using V2V.Market.Orders;

namespace V2V.Learning.Tests.Maddpg;

public sealed class RewardCalculatorTests
{
    // b1 (v = 0.25) bids 0.24 for 2 kWh; s1 (c = 0.15) asks 0.16 for 3 kWh. Greedy average: 2 kWh at 0.20.
    private static readonly Participant[] TwoAgents =
    [
        new("b1", Side.Buyer, 0.25, 0.24, 2),
        new("s1", Side.Seller, 0.15, 0.16, 3),
    ];

    [Fact]
    public void NashGuided_OneTrade_MatchesHandComputedTerms()
    {
        var (calculator, trades) = Clear(RewardKind.NashGuided, TwoAgents);
        Assert.Single(trades);
        var r = calculator.Compute(TwoAgents, trades, 0.28);

        // r_base: buyer 2 (0.25 - 0.20), seller 2 (0.20 - 0.15).
        Assert.Equal(0.10, r.Base[0], 12);
        Assert.Equal(0.10, r.Base[1], 12);
        Assert.Equal(0.20, r.SocialWelfareAud, 12);
        // r_coll(all) = 0.2 / (0.28 * 5.5 * 2) + 0.5 * Jain(0.1, 0.1) + 0.5 * 2/2;
        // without either agent nobody trades: 0 + 0.5 * Jain(0) (= 1 by SPEC 8's convention) + 0.
        double all = (0.2 / (0.28 * 5.5 * 2)) + 0.5 + 0.5;
        double alone = 0.5;
        Assert.Equal(all - alone, r.Credit[0], 12);
        Assert.Equal(all - alone, r.Credit[1], 12);
        // r_price: p_nash = (0.25 + 0.15) / 2 = 0.20; |0.24 - 0.20| = |0.16 - 0.20| = 0.04; -50 * 0.0016.
        Assert.Equal(-0.08, r.PriceTerm[0], 12);
        Assert.Equal(-0.08, r.PriceTerm[1], 12);
        Assert.Equal(0.0, r.IrTerm[0]);
        Assert.Equal(0.10 + (all - alone) - 0.08, r.Total[0], 12);
    }

    [Fact]
    public void NashGuided_BidAboveTrueValue_PaysTheIrPenalty()
    {
        // The buyer overbids: v = 0.18 but bids 0.26 against an ask of 0.16: price 0.21, utility 2 (0.18 - 0.21) < 0.
        Participant[] agents = [new("b1", Side.Buyer, 0.18, 0.26, 2), new("s1", Side.Seller, 0.15, 0.16, 3)];
        var (calculator, trades) = Clear(RewardKind.NashGuided, agents);
        var r = calculator.Compute(agents, trades, 0.28);
        Assert.Equal(2 * (0.18 - 0.21), r.Base[0], 12);
        Assert.Equal(-5 * 2 * (0.21 - 0.18), r.IrTerm[0], 12);
        Assert.Equal(0.0, r.IrTerm[1]);
    }

    [Fact]
    public void TradeUtility_IsTheBaseRewardAlone()
    {
        var (calculator, trades) = Clear(RewardKind.TradeUtility, TwoAgents);
        var r = calculator.Compute(TwoAgents, trades, 0.28);
        Assert.Equal(r.Base, r.Total);
        Assert.All(r.Credit, c => Assert.Equal(0.0, c));
    }

    [Fact]
    public void NashGuided_AgentWhoseAbsenceChangesNothing_GetsOnlyTheShareEffect()
    {
        // b2 bids below every ask: it never trades. Removing it leaves the trades, welfare and utilities unchanged,
        // so its credit is the pure effect of N_active on the normalisation and the match rate.
        Participant[] agents = [.. TwoAgents, new("b2", Side.Buyer, 0.20, 0.10, 1)];
        var (calculator, trades) = Clear(RewardKind.NashGuided, agents);
        var r = calculator.Compute(agents, trades, 0.28);
        double withB2 = (0.2 / (0.28 * 5.5 * 3)) + (0.5 * JainOf(0.1, 0.1, 0)) + (0.5 * 2 / 3.0);
        double withoutB2 = (0.2 / (0.28 * 5.5 * 2)) + 0.5 + 0.5;
        Assert.Equal(withB2 - withoutB2, r.Credit[2], 12);
        Assert.Equal(0.0, r.PriceTerm[2]);
    }

    private static double JainOf(params double[] x) => x.Sum() * x.Sum() / (x.Length * x.Sum(v => v * v));

    private static (RewardCalculator Calculator, IReadOnlyList<Trade> Trades) Clear(RewardKind kind, Participant[] agents)
    {
        var clearing = Fixtures.Market.Clearing;
        var mechanism = ClearingMechanisms.Create("greedy-average", clearing);
        var bids = agents.Where(a => a.Side == Side.Buyer).Select(a => new Order(a.Id, a.PriceAudPerKwh, a.EnergyKwh)).ToList();
        var asks = agents.Where(a => a.Side == Side.Seller).Select(a => new Order(a.Id, a.PriceAudPerKwh, a.EnergyKwh)).ToList();
        var trades = mechanism.Clear(new OrderBook(bids, asks, clearing.EpsilonAud)).Trades;
        return (new RewardCalculator(Fixtures.Reward, kind, mechanism, clearing.EpsilonAud, 1.0, 5.5), trades);
    }
}
