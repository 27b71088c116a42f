using V2V.Market.Configuration;

namespace V2V.Agents.Vehicles;

public static class VehicleModels
{
    /// <summary>The vehicle model of a run's configuration.</summary>
    public static VehicleModel From(MarketConfig config) =>
        new(config.Vehicle, config.Values, config.Tariff, config.Time, config.Population.StayMaxSteps);
}
