using V2V.Market.Orders;
using V2V.Market.Protocol;
using V2V.Market.Vehicles;

namespace V2V.Agents.Vehicles;

/// <summary>
/// An EV's state and decisions, free of actors so it can be tested alone and shared with the plain reference loop.
/// Invariant: Soc = arrival SoC + sum of applied trades (buyer +eta q / battery, seller -q / battery), and
/// Cash = sum of payments received - paid; each trade id is applied at most once (SPEC 5, DESIGN step 5).
/// </summary>
public sealed class EvAgentState(Vehicle vehicle, VehicleModel model, IBiddingPolicy policy)
{
    private readonly HashSet<long> applied = [];

    public Vehicle Vehicle { get; } = vehicle;

    public double Soc { get; private set; } = vehicle.ArrivalSoc;

    public double CashAud { get; private set; }

    public IReadOnlyCollection<long> AppliedTrades => applied;

    /// <summary>SPEC 2 evaluated at <paramref name="step"/> from the current SoC.</summary>
    public VehicleState Evaluate(int step) =>
        model.Evaluate(Soc, Vehicle.TargetSoc, Vehicle.StepsLeft(step), step % model.Time.StepsPerDay);

    /// <summary>SPEC 7: the local observation at a step, given the recent clearing prices.</summary>
    public Observation Observe(int step, double lastPrice, double recentPrice)
    {
        var s = Evaluate(step);
        var stepOfDay = step % model.Time.StepsPerDay;
        var grid = model.Tariff.GridPriceAt(stepOfDay);
        return new Observation(
            Soc,
            Vehicle.TargetSoc,
            Vehicle.TargetSoc - Soc,
            s.NeedOrSurplusKwh / model.Vehicle.BatteryKwh,
            s.Urgency,
            Vehicle.StepsLeft(step) / (double)model.StayMaxSteps,
            lastPrice / grid,
            recentPrice / grid,
            s.Role,
            stepOfDay / (double)model.Time.StepsPerDay);
    }

    /// <summary>
    /// SPEC 3 and 6: the order for an opened step, or null when the EV is neutral or has nothing to trade.
    /// </summary>
    public SubmitOrder? DecideOrder(StepOpened opened)
    {
        var s = Evaluate(opened.Step);
        if (s.Role == Role.Neutral || s.CapKwh <= 0)
        {
            return null;
        }

        var side = s.Role == Role.Buyer ? Side.Buyer : Side.Seller;
        var stepOfDay = opened.Step % model.Time.StepsPerDay;
        var context = new BiddingContext(
            side,
            s.TrueValueAudPerKwh,
            s.CapKwh,
            Observe(opened.Step, opened.LastPriceAudPerKwh, opened.RecentPriceAudPerKwh),
            model.Tariff.FeedInTariffAudPerKwh,
            model.Tariff.GridPriceAt(stepOfDay));
        float[]? row = null;
        Quote quote;
        if (policy is IActionPolicy learning)
        {
            // Training: the order carries the critic row (observation, then the action taken) for the scorer.
            row = new float[Observation.Size + learning.ActionSize];
            context.Observation.WriteTo(row);
            (quote, LastPolicyVersion) = learning.Decide(context, row.AsSpan(Observation.Size));
        }
        else
        {
            quote = policy.Decide(context);
        }

        var quantity = Math.Clamp(quote.EnergyKwh, 0, s.CapKwh);
        return quantity <= 0
            ? null
            : new SubmitOrder(opened.Step, Vehicle.Id, side, quote.PriceAudPerKwh, quantity, s.TrueValueAudPerKwh, row);
    }

    /// <summary>The policy version of the last decision of an <see cref="IActionPolicy"/> (-1 before one).</summary>
    public long LastPolicyVersion { get; private set; } = -1;

    /// <summary>SPEC 5: applies a committed trade once; a repeat of the same id changes nothing and returns false.</summary>
    public bool Apply(Fill fill)
    {
        if (fill.BuyerId != Vehicle.Id && fill.SellerId != Vehicle.Id)
        {
            throw new InvalidOperationException($"{Vehicle.Id} is not a party to trade {fill.TradeId}");
        }

        if (!applied.Add(fill.TradeId))
        {
            return false;
        }

        var payment = fill.PriceAudPerKwh * fill.EnergyKwh;
        if (fill.BuyerId == Vehicle.Id)
        {
            Soc += model.Vehicle.Efficiency * fill.EnergyKwh / model.Vehicle.BatteryKwh;
            CashAud -= payment;
        }
        else
        {
            Soc -= fill.EnergyKwh / model.Vehicle.BatteryKwh;
            CashAud += payment;
        }

        return true;
    }

    /// <summary>After a crash: the ledger's view replaces whatever this instance had.</summary>
    public void Restore(StateRecovered state)
    {
        Soc = state.Soc;
        CashAud = state.CashAud;
        applied.Clear();
        applied.UnionWith(state.AppliedTrades);
    }
}
