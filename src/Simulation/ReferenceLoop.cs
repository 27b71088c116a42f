using V2V.Agents.Facility;
using V2V.Agents.Vehicles;
using V2V.Clearing;
using V2V.Coordinator.Session;
using V2V.Market.Configuration;
using V2V.Market.Orders;
using V2V.Market.Protocol;
using V2V.Market.Vehicles;

namespace V2V.Simulation;

/// <summary>
/// The market with no actors, no latency and no faults: a plain loop over steps that calls the EV model, the
/// policies and the clearing mechanism directly and applies every trade. The actor simulation must reproduce its
/// trades exactly when latency and faults are off: the actors must not change the science.
/// </summary>
public static class ReferenceLoop
{
    public static IReadOnlyList<Fill> Run(MarketConfig config, Func<Vehicle, IBiddingPolicy> policyFor)
    {
        var model = VehicleModels.From(config);
        var arrivals = new ArrivalProcess(config.Population, config.Vehicle, config.Policy, config.Seed);
        var mechanism = ClearingMechanisms.Create(config.Clearing.Mechanism, config.Clearing);
        var prices = new PriceHistory(
            (config.Tariff.FeedInTariffAudPerKwh + config.Tariff.GridPriceAudPerKwh) / 2,
            config.Metrics.RecentPriceWindowSteps);
        var parked = new List<EvAgentState>();
        var byId = new Dictionary<string, EvAgentState>(StringComparer.Ordinal);
        var committed = new List<Fill>();
        long tradeId = 0;

        for (var step = 0; step < config.Time.TotalSteps; step++)
        {
            parked.RemoveAll(ev => ev.Vehicle.DepartureStep <= step);
            foreach (var v in arrivals.ArrivalsAt(step))
            {
                var ev = new EvAgentState(v, model, policyFor(v));
                parked.Add(ev);
                byId[v.Id] = ev;
            }

            var opened = new StepOpened(step, "", 0, 0, prices.LastAudPerKwh, prices.RecentAudPerKwh);
            var bids = new List<Order>();
            var asks = new List<Order>();
            foreach (var ev in parked)
            {
                if (ev.DecideOrder(opened) is { } o)
                {
                    (o.Side == Side.Buyer ? bids : asks).Add(new Order(o.Agent, o.PriceAudPerKwh, o.EnergyKwh));
                }
            }

            var result = mechanism.Clear(new OrderBook(bids, asks, config.Clearing.EpsilonAud));
            foreach (var t in result.Trades)
            {
                var fill = new Fill(step, tradeId++, t.BuyerId, t.SellerId, t.PriceAudPerKwh, t.EnergyKwh);
                byId[t.BuyerId].Apply(fill);
                byId[t.SellerId].Apply(fill);
                prices.AddFill(t.PriceAudPerKwh, t.EnergyKwh);
                committed.Add(fill);
            }

            prices.CloseStep();
        }

        return committed;
    }
}
