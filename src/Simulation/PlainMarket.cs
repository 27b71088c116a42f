using V2V.Agents.Facility;
using V2V.Agents.Vehicles;
using V2V.Clearing;
using V2V.Coordinator.Session;
using V2V.Market.Configuration;
using V2V.Market.Orders;
using V2V.Market.Vehicles;

namespace V2V.Simulation;

/// <summary>
/// The market with no actors, no latency and no faults, one step at a time: the seeded arrivals park, the EVs whose
/// stay is over leave, the book is cleared by the mechanism and every trade is applied to both parties. The two
/// plain loops are built on it: the <see cref="ReferenceLoop"/> the actor simulation is checked against, and the
/// direct training episodes (<see cref="Training.MarketEpisodeRunner"/>), so both see the same market.
/// </summary>
public sealed class PlainMarket
{
    private readonly MarketConfig config;
    private readonly VehicleModel model;
    private readonly ArrivalProcess arrivals;
    private readonly IClearingMechanism mechanism;
    private readonly Func<Vehicle, IBiddingPolicy> policyFor;
    private readonly PriceHistory prices;
    private readonly List<EvAgentState> parked = [];
    private readonly Dictionary<string, EvAgentState> byId = new(StringComparer.Ordinal);
    private long nextTradeId;

    /// <param name="config">The market: its seed fixes the arrivals.</param>
    /// <param name="mechanism">Clears each step's book.</param>
    /// <param name="policyFor">The bidding policy of each arriving EV (the training episodes choose actions themselves).</param>
    public PlainMarket(MarketConfig config, IClearingMechanism mechanism, Func<Vehicle, IBiddingPolicy> policyFor)
    {
        this.config = config;
        this.mechanism = mechanism;
        this.policyFor = policyFor;
        model = VehicleModels.From(config);
        arrivals = new ArrivalProcess(config.Population, config.Vehicle, config.Policy, config.Seed);
        prices = new PriceHistory(
            (config.Tariff.FeedInTariffAudPerKwh + config.Tariff.GridPriceAudPerKwh) / 2, config.Metrics.RecentPriceWindowSteps);
    }

    /// <summary>The EVs parked in the open step, in parking order.</summary>
    public IReadOnlyList<EvAgentState> Parked => parked;

    public double LastPriceAudPerKwh => prices.LastAudPerKwh;

    public double RecentPriceAudPerKwh => prices.RecentAudPerKwh;

    /// <summary>Opens <paramref name="step"/>: the EVs whose stay is over leave, then the step's arrivals park.</summary>
    public IReadOnlyList<EvAgentState> Open(int step)
    {
        parked.RemoveAll(ev => ev.Vehicle.DepartureStep <= step);
        foreach (var v in arrivals.ArrivalsAt(step))
        {
            var ev = new EvAgentState(v, model, policyFor(v));
            parked.Add(ev);
            byId[v.Id] = ev;
        }

        return parked;
    }

    /// <summary>
    /// Clears the step's book, applies every trade to both of its parties, records its price and closes the step.
    /// Returns the trades as the mechanism made them and as fills with their step and trade ids.
    /// </summary>
    public (IReadOnlyList<Trade> Trades, IReadOnlyList<Fill> Fills) Clear(int step, List<Order> bids, List<Order> asks)
    {
        IReadOnlyList<Trade> trades = bids.Count == 0 && asks.Count == 0
            ? []
            : mechanism.Clear(new OrderBook(bids, asks, config.Clearing.EpsilonAud)).Trades;
        var fills = new List<Fill>(trades.Count);
        foreach (var t in trades)
        {
            var fill = new Fill(step, nextTradeId++, t.BuyerId, t.SellerId, t.PriceAudPerKwh, t.EnergyKwh);
            byId[t.BuyerId].Apply(fill);
            byId[t.SellerId].Apply(fill);
            prices.AddFill(t.PriceAudPerKwh, t.EnergyKwh);
            fills.Add(fill);
        }

        prices.CloseStep();
        return (trades, fills);
    }
}
