namespace V2V.Market.Configuration;

// The typed view of hocon/reference.conf (SPEC 1-8). No defaults live here: every number comes from the
// HOCON files, so a record is only ever built by the Host's binder or explicitly by a test.

/// <summary>SPEC 1: time.</summary>
public sealed record TimeConfig(double StepHours, int StepsPerDay, int Days)
{
    public int TotalSteps => StepsPerDay * Days;
}

/// <summary>SPEC 1: population and arrivals.</summary>
public sealed record PopulationConfig(int Agents, double MeanStaySteps, int StayMinSteps, int StayMaxSteps)
{
    /// <summary>Poisson arrival rate per step, lambda = N / E[stay] (Little's law).</summary>
    public double ArrivalRatePerStep => Agents / MeanStaySteps;
}

/// <summary>SPEC 2: the vehicle.</summary>
public sealed record VehicleConfig(
    double BatteryKwh,
    double PowerCapKw,
    double Efficiency,
    double InitialSocMin,
    double InitialSocMax,
    double TargetSocMin,
    double TargetSocMax,
    double SellerBuffer,
    double MinOfferKwh = 0);

/// <summary>SPEC 2: grid tariffs. <paramref name="GridPriceByStepOfDay"/> is empty for a flat price.</summary>
public sealed record TariffConfig(
    double GridPriceAudPerKwh,
    double FeedInTariffAudPerKwh,
    IReadOnlyList<double> GridPriceByStepOfDay)
{
    public double GridPriceAt(int stepOfDay) =>
        GridPriceByStepOfDay.Count == 0 ? GridPriceAudPerKwh : GridPriceByStepOfDay[stepOfDay % GridPriceByStepOfDay.Count];
}

/// <summary>SPEC 2: how private (true) values are derived.</summary>
public sealed record ValueConfig(
    double BuyerBaseWeight,
    double BuyerUrgencyWeight,
    double SellerReplacementAudPerKwh,
    double SellerSurplusDiscount,
    double SellerDegradationAudPerKwh);

/// <summary>SPEC 4: clearing.</summary>
public sealed record ClearingConfig(
    string Mechanism,
    double EpsilonAud,
    double MinTradeKwh,
    double SolverRelativeGap,
    int SolverMaxIterations,
    double SolverTimeBudgetSeconds = ClearingConfig.DefaultSolverTimeBudgetSeconds)
{
    /// <summary>
    /// The time budget of callers that build the record without one (tests, benchmarks); the configured value is
    /// v2v.clearing.solver-time-budget in reference.conf, which MarketConfigBinder always passes.
    /// </summary>
    public const double DefaultSolverTimeBudgetSeconds = 60;
}

/// <summary>SPEC 6: bidding policies.</summary>
public sealed record PolicyConfig(string Kind, double MarkupMax);

/// <summary>SPEC 8: metrics.</summary>
public sealed record MetricsConfig(int RecentPriceWindowSteps);

/// <summary>Everything the market model needs: SPEC 1-8.</summary>
public sealed record MarketConfig(
    int Seed,
    TimeConfig Time,
    PopulationConfig Population,
    VehicleConfig Vehicle,
    TariffConfig Tariff,
    ValueConfig Values,
    ClearingConfig Clearing,
    PolicyConfig Policy,
    MetricsConfig Metrics);
