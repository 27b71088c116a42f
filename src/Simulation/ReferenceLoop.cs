using V2V.Agents.Vehicles;
using V2V.Clearing;
using V2V.Market.Configuration;
using V2V.Market.Orders;
using V2V.Market.Protocol;
using V2V.Market.Vehicles;

namespace V2V.Simulation;

/// <summary>
/// The market with no actors, no latency and no faults (<see cref="PlainMarket"/>), each EV bidding with its policy.
/// The actor simulation must reproduce its trades exactly when latency and faults are off: the actors must not change
/// the science.
/// </summary>
public static class ReferenceLoop
{
    public static IReadOnlyList<Fill> Run(MarketConfig config, Func<Vehicle, IBiddingPolicy> policyFor)
    {
        var market = new PlainMarket(config, ClearingMechanisms.Create(config.Clearing.Mechanism, config.Clearing), policyFor);
        var committed = new List<Fill>();
        for (var step = 0; step < config.Time.TotalSteps; step++)
        {
            var opened = new StepOpened(step, "", 0, 0, market.LastPriceAudPerKwh, market.RecentPriceAudPerKwh);
            var bids = new List<Order>();
            var asks = new List<Order>();
            foreach (var ev in market.Open(step))
            {
                if (ev.DecideOrder(opened) is { } o)
                {
                    (o.Side == Side.Buyer ? bids : asks).Add(new Order(o.Agent, o.PriceAudPerKwh, o.EnergyKwh));
                }
            }

            committed.AddRange(market.Clear(step, bids, asks).Fills);
        }

        return committed;
    }
}
