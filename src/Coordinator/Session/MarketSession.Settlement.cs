using V2V.Coordinator.Ledger;
using V2V.Coordinator.Metrics;
using V2V.Market.Orders;
using V2V.Market.Protocol;

namespace V2V.Coordinator.Session;

/// <summary>Settlement bookkeeping: commits, voids, ledger balances and the scored trades behind the metrics.</summary>
public sealed partial class MarketSession
{
    private void Commit(Fill fill)
    {
        ledger.Append(new TradeCommitted(fill.Step, fill.TradeId));
        Apply(fill, TrueValueOf(fill.BuyerId), TrueValueOf(fill.SellerId));
    }

    // What a commit changes besides the ledger; a resumed session replays the ledger's commits through it, so the
    // balances are rebuilt by the same arithmetic in the same order, to the bit.
    private void Apply(Fill fill, double buyerValueAudPerKwh, double sellerCostAudPerKwh)
    {
        CommittedTrades++;
        var buyer = accounts[fill.BuyerId];
        var seller = accounts[fill.SellerId];
        var payment = fill.PriceAudPerKwh * fill.EnergyKwh;
        buyer.Soc += config.Vehicle.Efficiency * fill.EnergyKwh / config.Vehicle.BatteryKwh;
        buyer.CashAud -= payment;
        buyer.Applied.Add(fill.TradeId);
        seller.Soc -= fill.EnergyKwh / config.Vehicle.BatteryKwh;
        seller.CashAud += payment;
        seller.Applied.Add(fill.TradeId);
        stepCommitted[fill.TradeId] = new Trade(fill.BuyerId, fill.SellerId, fill.PriceAudPerKwh, fill.EnergyKwh);
        matched.Add(fill.BuyerId);
        matched.Add(fill.SellerId);
        Prices.AddFill(fill.PriceAudPerKwh, fill.EnergyKwh);

        var stepOfDay = fill.Step % config.Time.StepsPerDay;
        scored.Add(new ScoredTrade(fill.Step, fill.BuyerId, fill.SellerId, fill.PriceAudPerKwh, fill.EnergyKwh,
            buyerValueAudPerKwh, sellerCostAudPerKwh, config.Tariff.GridPriceAt(stepOfDay)));
    }

    private double TrueValueOf(string agent)
    {
        foreach (var o in book)
        {
            if (o.Agent == agent)
            {
                return o.TrueValueAudPerKwh;
            }
        }

        throw new InvalidOperationException($"{agent} traded without an order in the book");
    }

    private void Void(long id, string reason)
    {
        pending.Remove(id);
        VoidedTrades++;
        ledger.Append(new TradeVoided(Step, id, reason));
    }

    private List<(PendingTrade, string)> VoidTradesOf(string agent, string reason)
    {
        var voided = new List<(PendingTrade, string)>();
        foreach (var id in pending.Keys.Order().ToList())
        {
            var p = pending[id];
            if (p.Fill.BuyerId == agent || p.Fill.SellerId == agent)
            {
                voided.Add((p, reason));
                Void(id, reason);
            }
        }

        return voided;
    }

    /// <summary>The SPEC 8 metrics of everything committed so far.</summary>
    public MetricsSummary Metrics() =>
        MarketMetrics.Compute(scored, participation, everActive, config.Vehicle.Efficiency);

    /// <summary>An agent's balance as the ledger has it.</summary>
    private sealed class AgentAccount(double soc)
    {
        public double Soc { get; set; } = soc;

        public double CashAud { get; set; }

        public List<long> Applied { get; } = [];

        public bool Departed { get; set; }
    }
}

/// <summary>A cleared trade waiting for both parties to accept.</summary>
public sealed class PendingTrade(Fill fill)
{
    public Fill Fill { get; } = fill;

    public bool BuyerAccepted { get; set; }

    public bool SellerAccepted { get; set; }
}
