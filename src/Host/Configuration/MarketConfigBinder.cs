using V2V.Clearing;
using V2V.Market.Configuration;

namespace V2V.Host.Configuration;

/// <summary>
/// Builds <see cref="MarketConfig"/> (SPEC 1-8) from the keys under <c>v2v.</c>, validating every value;
/// the numbers themselves live in hocon/reference.conf.
/// </summary>
public static class MarketConfigBinder
{
    /// <summary>SPEC 4: the clearing mechanisms.</summary>
    public static readonly IReadOnlyList<string> Mechanisms = ["nash", "double-auction", "greedy-average"];

    /// <summary>SPEC 6: the bidding policies.</summary>
    public static readonly IReadOnlyList<string> PolicyKinds = ["truthful", "markup", "learned"];

    // Tolerance for "weights sum to at most 1" written as decimals (0.6 + 0.4).
    private const double SumTolerance = 1e-12;

    public static MarketConfig Bind(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var v2v = config.GetConfig("v2v");
        var time = BindTime(v2v.GetConfig("time"));
        var vehicle = BindVehicle(v2v.GetConfig("vehicle"));
        return new MarketConfig(
            v2v.GetInt("seed"),
            time,
            BindPopulation(v2v.GetConfig("population")),
            vehicle,
            BindTariff(v2v.GetConfig("tariff"), time),
            BindValues(v2v.GetConfig("values")),
            BindClearing(v2v.GetConfig("clearing")),
            BindPolicy(v2v.GetConfig("policy")),
            new MetricsConfig(v2v.GetConfig("metrics").GetIntAtLeast("recent-price-window-steps", 1)));
    }

    /// <summary>
    /// The number of facilities of a run (<c>v2v.population.facilities</c>): each is a market of its own, so it is not
    /// part of <see cref="MarketConfig"/>, which describes one facility.
    /// </summary>
    public static int Facilities(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        const string Key = "v2v.population.facilities";
        int facilities = config.GetIntAtLeast(Key, 1);
        if (facilities > V2V.Simulation.Facilities.FacilityPlan.MaxFacilities)
        {
            throw config.Error(Key, $"expected a whole number in [1, {V2V.Simulation.Facilities.FacilityPlan.MaxFacilities}], got {facilities}");
        }

        return facilities;
    }

    private static TimeConfig BindTime(Config c)
    {
        var time = new TimeConfig(c.GetPositiveDouble("step-hours"), c.GetIntAtLeast("steps-per-day", 1), c.GetIntAtLeast("days", 1));
        ConfigChecks.RequireHorizonFits(c, time);
        return time;
    }

    private static PopulationConfig BindPopulation(Config c)
    {
        int agents = c.GetIntAtLeast("agents", 1);
        double meanStay = c.GetPositiveDouble("mean-stay-steps");
        int stayMin = c.GetIntAtLeast("stay-min-steps", 1);
        int stayMax = c.GetIntAtLeast("stay-max-steps", 1);
        c.RequireOrdered("stay-min-steps", stayMin, "stay-max-steps", stayMax);
        if (stayMax > ConfigChecks.MaxSteps)
        {
            throw c.Error("stay-max-steps", $"expected a whole number in [stay-min-steps, {ConfigChecks.MaxSteps}] (a departure step must stay an int), got {stayMax}");
        }

        // lambda = N / mean-stay: a mean outside the stays drawn (min..max) would park far more or fewer EVs than N.
        if (meanStay < stayMin || meanStay > stayMax)
        {
            throw c.Error("mean-stay-steps", $"expected a number in [stay-min-steps, stay-max-steps] = [{stayMin}, {stayMax}], got {ConfigChecks.Show(meanStay)}");
        }
        return new PopulationConfig(agents, meanStay, stayMin, stayMax);
    }

    private static VehicleConfig BindVehicle(Config c)
    {
        double battery = c.GetPositiveMagnitude("battery-kwh");
        double powerCap = c.GetPositiveMagnitude("power-cap-kw");
        double efficiency = c.GetFraction("efficiency");
        if (efficiency <= 0)
        {
            throw c.Error("efficiency", $"expected a number in (0, 1], got {ConfigChecks.Show(efficiency)}");
        }

        double initialMin = c.GetFraction("initial-soc-min");
        double initialMax = c.GetFraction("initial-soc-max");
        c.RequireOrdered("initial-soc-min", initialMin, "initial-soc-max", initialMax);
        double targetMin = c.GetFraction("target-soc-min");
        double targetMax = c.GetFraction("target-soc-max");
        c.RequireOrdered("target-soc-min", targetMin, "target-soc-max", targetMax);
        double buffer = c.GetFraction("seller-buffer");

        // SPEC 2: surplus_fraction divides by 75 * (1 - target - buffer), which must stay positive.
        if (targetMax + buffer >= 1)
        {
            throw c.Error(
                "seller-buffer",
                $"target-soc-max + seller-buffer must be < 1, got {ConfigChecks.Show(targetMax)} + {ConfigChecks.Show(buffer)}");
        }

        return new VehicleConfig(
            battery, powerCap, efficiency, initialMin, initialMax, targetMin, targetMax, buffer, c.GetNonNegativeDouble("min-offer-kwh"));
    }

    private static TariffConfig BindTariff(Config c, TimeConfig time)
    {
        double grid = c.GetPositiveMagnitude("grid-price");
        double feedIn = c.GetNonNegativeMagnitude("feed-in-tariff");

        // SPEC 3: prices lie in [FiT, p_grid], so that interval must not be empty.
        if (feedIn >= grid)
        {
            throw c.Error("feed-in-tariff", $"must be < grid-price ({ConfigChecks.Show(grid)}), got {ConfigChecks.Show(feedIn)}");
        }

        var profile = c.GetDoubleList("grid-price-by-step-of-day");
        if (profile.Count != 0 && profile.Count != time.StepsPerDay)
        {
            throw c.Error(
                "grid-price-by-step-of-day",
                $"expected an empty list (flat price) or one price per step of the day ({time.StepsPerDay}), got {profile.Count}");
        }

        for (int i = 0; i < profile.Count; i++)
        {
            if (!(profile[i] > feedIn && profile[i] <= ConfigChecks.MaxMagnitude))
            {
                throw c.Error(
                    $"grid-price-by-step-of-day.[{i}]",
                    $"expected a price in (feed-in-tariff ({ConfigChecks.Show(feedIn)}), {ConfigChecks.Show(ConfigChecks.MaxMagnitude)}], got {ConfigChecks.Show(profile[i])}");
            }
        }

        return new TariffConfig(grid, feedIn, profile);
    }

    private static ValueConfig BindValues(Config c)
    {
        double baseWeight = c.GetFraction("buyer-base-weight");
        double urgencyWeight = c.GetFraction("buyer-urgency-weight");

        // SPEC 2: v = FiT + (p_grid - FiT)(base + urgency_weight * urgency) must never exceed p_grid.
        if (baseWeight + urgencyWeight > 1 + SumTolerance)
        {
            throw c.Error(
                "buyer-urgency-weight",
                $"buyer-base-weight + buyer-urgency-weight must be <= 1, got {ConfigChecks.Show(baseWeight + urgencyWeight)}");
        }

        return new ValueConfig(
            baseWeight,
            urgencyWeight,
            c.GetNonNegativeMagnitude("seller-replacement"),
            c.GetFraction("seller-surplus-discount"),
            c.GetNonNegativeMagnitude("seller-degradation"));
    }

    private static ClearingConfig BindClearing(Config c) =>
        new(
            c.GetOneOf("mechanism", Mechanisms),
            c.GetDoubleInRange("epsilon", ClearingLimits.MinEpsilonAud, ClearingLimits.MaxEpsilonAud),
            c.GetNonNegativeDouble("min-trade-kwh"),
            c.GetPositiveDouble("solver-relative-gap"),
            c.GetIntAtLeast("solver-max-iterations", 1),
            c.GetDoubleInRange("solver-time-budget", 1e-3, 86_400));

    private static PolicyConfig BindPolicy(Config c)
    {
        string kind = c.GetOneOf("kind", PolicyKinds);
        double markupMax = c.GetFraction("markup-max");
        if (markupMax >= 1)
        {
            throw c.Error("markup-max", $"expected a number in [0, 1), got {ConfigChecks.Show(markupMax)}");
        }

        return new PolicyConfig(kind, markupMax);
    }
}
