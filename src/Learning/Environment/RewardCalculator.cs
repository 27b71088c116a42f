using V2V.Clearing;
using V2V.Learning.Maddpg;
using V2V.Market.Orders;

namespace V2V.Learning.Environment;

/// <summary>An active agent of one step: its side, private true value (v or c) and its order.</summary>
public readonly record struct Participant(string Id, Side Side, double TrueValueAudPerKwh, double PriceAudPerKwh, double EnergyKwh);

/// <summary>One step's rewards in the order of the participants, and the step's social welfare (SPEC 8).</summary>
public sealed record StepRewards(double[] Total, double[] Base, double[] Credit, double[] PriceTerm, double[] IrTerm, double SocialWelfareAud, int Matched);

/// <summary>
/// SPEC 7's reward, r = r_base + delta + r_price + r_ir (Nash-guided), or r_base alone (trade utility).
/// The counterfactual credit re-clears the book without agent i with the same mechanism, so this class, like the
/// coordinator, must hold the whole book. Utilities are on true values: buyer q (eta v - p), seller q (p - c).
/// </summary>
public sealed class RewardCalculator(
    RewardConfig config, RewardKind kind, IClearingMechanism mechanism, double epsilonAud, double efficiency, double stepCapKwh)
{
    public StepRewards Compute(IReadOnlyList<Participant> participants, IReadOnlyList<Trade> trades, double gridPriceAudPerKwh)
    {
        int n = participants.Count;
        var index = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            index[participants[i].Id] = i;
        }

        var baseReward = new double[n];
        var matchedQuantity = new double[n];
        var nashPriceSum = new double[n];
        double welfare = 0;
        foreach (var t in trades)
        {
            int b = index[t.BuyerId];
            int s = index[t.SellerId];
            double v = participants[b].TrueValueAudPerKwh;
            double c = participants[s].TrueValueAudPerKwh;
            baseReward[b] += t.EnergyKwh * ((efficiency * v) - t.PriceAudPerKwh);
            baseReward[s] += t.EnergyKwh * (t.PriceAudPerKwh - c);
            welfare += t.EnergyKwh * ((efficiency * v) - c);
            // SPEC 7: p_nash is the quantity-weighted midpoint of the true values over an agent's partners.
            double mid = (v + c) / 2;
            matchedQuantity[b] += t.EnergyKwh;
            matchedQuantity[s] += t.EnergyKwh;
            nashPriceSum[b] += t.EnergyKwh * mid;
            nashPriceSum[s] += t.EnergyKwh * mid;
        }

        int matched = 0;
        for (int i = 0; i < n; i++)
        {
            matched += matchedQuantity[i] > 0 ? 1 : 0;
        }

        var credit = new double[n];
        var price = new double[n];
        var ir = new double[n];
        var total = new double[n];
        if (kind == RewardKind.NashGuided)
        {
            double all = Collective(participants, -1, trades, index, gridPriceAudPerKwh);
            for (int i = 0; i < n; i++)
            {
                credit[i] = all - Counterfactual(participants, i, gridPriceAudPerKwh);
                if (matchedQuantity[i] > 0)
                {
                    double p = nashPriceSum[i] / matchedQuantity[i];
                    double gap = participants[i].PriceAudPerKwh - p;
                    price[i] = -config.Kappa * gap * gap;
                }

                ir[i] = -config.IrPenalty * Math.Max(0, -baseReward[i]);
            }
        }

        for (int i = 0; i < n; i++)
        {
            total[i] = baseReward[i] + credit[i] + price[i] + ir[i];
        }

        return new StepRewards(total, baseReward, credit, price, ir, welfare, matched);
    }

    /// <summary>
    /// SPEC 7: r_coll = SW / (p_grid cap max(1, N_active)) + w_J Jain_step + w_M match_rate_step over the
    /// participants other than <paramref name="excluded"/> (-1: all). Jain is SPEC 8's (1 when nobody gains).
    /// </summary>
    internal double Collective(
        IReadOnlyList<Participant> participants, int excluded, IReadOnlyList<Trade> trades, Dictionary<string, int> index, double gridPrice)
    {
        int active = participants.Count - (excluded >= 0 ? 1 : 0);
        var utility = new double[participants.Count];
        var matched = new bool[participants.Count];
        double welfare = 0;
        foreach (var t in trades)
        {
            int b = index[t.BuyerId];
            int s = index[t.SellerId];
            double v = participants[b].TrueValueAudPerKwh;
            double c = participants[s].TrueValueAudPerKwh;
            utility[b] += t.EnergyKwh * ((efficiency * v) - t.PriceAudPerKwh);
            utility[s] += t.EnergyKwh * (t.PriceAudPerKwh - c);
            welfare += t.EnergyKwh * ((efficiency * v) - c);
            matched[b] = matched[s] = true;
        }

        var utilities = new List<double>(active);
        int matchedCount = 0;
        for (int i = 0; i < participants.Count; i++)
        {
            if (i == excluded)
            {
                continue;
            }

            utilities.Add(utility[i]);
            matchedCount += matched[i] ? 1 : 0;
        }

        double matchRate = active == 0 ? 0 : matchedCount / (double)active;
        return (welfare / (gridPrice * stepCapKwh * Math.Max(1, active)))
            + (config.CollectiveJainWeight * Fairness.Jain(utilities))
            + (config.CollectiveMatchWeight * matchRate);
    }

    private double Counterfactual(IReadOnlyList<Participant> participants, int abstains, double gridPrice)
    {
        var bids = new List<Order>();
        var asks = new List<Order>();
        var index = new Dictionary<string, int>(participants.Count, StringComparer.Ordinal);
        for (int i = 0; i < participants.Count; i++)
        {
            index[participants[i].Id] = i;
            if (i == abstains)
            {
                continue;
            }

            var p = participants[i];
            (p.Side == Side.Buyer ? bids : asks).Add(new Order(p.Id, p.PriceAudPerKwh, p.EnergyKwh));
        }

        var result = mechanism.Clear(new OrderBook(bids, asks, epsilonAud));
        return Collective(participants, abstains, result.Trades, index, gridPrice);
    }
}
