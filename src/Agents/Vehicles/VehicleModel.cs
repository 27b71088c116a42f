using V2V.Market.Configuration;
using V2V.Market.Vehicles;

namespace V2V.Agents.Vehicles;

/// <summary>
/// The vehicle physics and private values of SPEC 2 as pure functions of the configuration and an EV's state.
/// </summary>
public sealed class VehicleModel(VehicleConfig vehicle, ValueConfig values, TariffConfig tariff, TimeConfig time, int stayMaxSteps)
{
    /// <summary>The longest stay (SPEC 1), which scales steps_left in the observation (SPEC 7).</summary>
    public int StayMaxSteps { get; } = stayMaxSteps;

    public VehicleConfig Vehicle { get; } = vehicle;

    public ValueConfig Values { get; } = values;

    public TariffConfig Tariff { get; } = tariff;

    public TimeConfig Time { get; } = time;

    /// <summary>SPEC 2: at most power cap x step length per step, in either role (11 kW x 0.5 h = 5.5 kWh).</summary>
    public double StepCapKwh => Vehicle.PowerCapKw * Time.StepHours;

    /// <summary>
    /// SPEC 2: buyer below target, seller above target + buffer, neutral in between; and neutral when the need or
    /// surplus is below <see cref="VehicleConfig.MinOfferKwh"/> (our default: no order smaller than the minimum trade,
    /// which SPEC 4 would drop; rounding after a fill that exactly meets a target otherwise leaves ~1e-14 kWh orders).
    /// </summary>
    public Role RoleOf(double soc, double targetSoc) =>
        soc < targetSoc && NeedKwh(soc, targetSoc) >= Vehicle.MinOfferKwh ? Role.Buyer
        : soc > targetSoc + Vehicle.SellerBuffer && SurplusKwh(soc, targetSoc) >= Vehicle.MinOfferKwh ? Role.Seller
        : Role.Neutral;

    /// <summary>SPEC 2: need = (target - SoC) x battery, zero unless a buyer.</summary>
    public double NeedKwh(double soc, double targetSoc) => Math.Max(0, (targetSoc - soc) * Vehicle.BatteryKwh);

    /// <summary>SPEC 2: surplus = (SoC - target - buffer) x battery, zero unless a seller.</summary>
    public double SurplusKwh(double soc, double targetSoc) =>
        Math.Max(0, (soc - targetSoc - Vehicle.SellerBuffer) * Vehicle.BatteryKwh);

    /// <summary>SPEC 2: the most the EV can offer this step, min(need or surplus, step cap).</summary>
    public double OfferCapKwh(double soc, double targetSoc) => RoleOf(soc, targetSoc) switch
    {
        Role.Buyer => Math.Min(NeedKwh(soc, targetSoc), StepCapKwh),
        Role.Seller => Math.Min(SurplusKwh(soc, targetSoc), StepCapKwh),
        _ => 0,
    };

    /// <summary>SPEC 2: urgency = clip(need / (cap x max(1, steps_left)), 0, 1); rises as departure nears.</summary>
    public double Urgency(double needKwh, int stepsLeft) =>
        Math.Clamp(needKwh / (StepCapKwh * Math.Max(1, stepsLeft)), 0, 1);

    /// <summary>SPEC 2: v = FiT + (p_grid - FiT)(base + weight x urgency); never above the grid price.</summary>
    public double BuyerValue(double urgency, int stepOfDay)
    {
        var grid = Tariff.GridPriceAt(stepOfDay);
        var fit = Tariff.FeedInTariffAudPerKwh;
        return fit + ((grid - fit) * (Values.BuyerBaseWeight + (Values.BuyerUrgencyWeight * urgency)));
    }

    /// <summary>
    /// SPEC 2: c = replacement x (1 - discount x surplus_fraction) + degradation, with
    /// surplus_fraction = surplus / (battery x (1 - target - buffer)) clipped to [0, 1].
    /// </summary>
    public double SellerReservation(double surplusKwh, double targetSoc)
    {
        var room = Vehicle.BatteryKwh * (1 - targetSoc - Vehicle.SellerBuffer);
        var fraction = room <= 0 ? 1 : Math.Clamp(surplusKwh / room, 0, 1);
        return (Values.SellerReplacementAudPerKwh * (1 - (Values.SellerSurplusDiscount * fraction)))
            + Values.SellerDegradationAudPerKwh;
    }

    /// <summary>Everything SPEC 2 derives from an EV's state at a step, in one value.</summary>
    public VehicleState Evaluate(double soc, double targetSoc, int stepsLeft, int stepOfDay)
    {
        var role = RoleOf(soc, targetSoc);
        var need = NeedKwh(soc, targetSoc);
        var surplus = SurplusKwh(soc, targetSoc);
        var urgency = role == Role.Buyer ? Urgency(need, stepsLeft) : 0;
        var trueValue = role switch
        {
            Role.Buyer => BuyerValue(urgency, stepOfDay),
            Role.Seller => SellerReservation(surplus, targetSoc),
            _ => 0,
        };
        return new VehicleState(role, role == Role.Buyer ? need : surplus, OfferCapKwh(soc, targetSoc), urgency, trueValue);
    }
}

/// <summary>
/// An EV's derived state at one step: role, need (buyer) or surplus (seller) in kWh, the step's trade cap,
/// urgency, and its private true value per kWh (v or c).
/// </summary>
public readonly record struct VehicleState(
    Role Role,
    double NeedOrSurplusKwh,
    double CapKwh,
    double Urgency,
    double TrueValueAudPerKwh);
