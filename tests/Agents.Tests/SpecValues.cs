using V2V.Market.Configuration;

namespace V2V.Agents.Tests;

/// <summary>The SPEC 1-2 numbers written out by hand, so tests check the model against the spec itself.</summary>
internal static class SpecValues
{
    public static readonly TimeConfig Time = new(0.5, 16, 30);
    public static readonly PopulationConfig Population = new(100, 8, 4, 12);
    public static readonly VehicleConfig Vehicle = new(75, 11, 1.0, 0.2, 0.9, 0.5, 0.8, 0.05);
    public static readonly TariffConfig Tariff = new(0.28, 0.05, []);
    public static readonly ValueConfig Values = new(0.6, 0.4, 0.16, 0.3, 0.03);
    public static readonly PolicyConfig Policy = new("truthful", 0.2);
}
