using V2V.Market.Configuration;
using V2V.Simulation.Facilities;

namespace V2V.Simulation.Tests.Facilities;

public sealed class FacilityPlanTests
{
    private static readonly MarketConfig Run = new(
        3, new TimeConfig(0.5, 16, 1), new PopulationConfig(4, 8, 4, 12), new VehicleConfig(75, 11, 1.0, 0.2, 0.9, 0.5, 0.8, 0.05),
        new TariffConfig(0.28, 0.05, []), new ValueConfig(0.6, 0.4, 0.16, 0.3, 0.03), new ClearingConfig("nash", 1e-3, 1e-6, 1e-9, 200),
        new PolicyConfig("truthful", 0.2), new MetricsConfig(4));

    [Theory]
    [InlineData(0, "f000")]
    [InlineData(7, "f007")]
    [InlineData(999, "f999")]
    [InlineData(1000, "f1000")]
    public void FacilityPlan_IdOf_ThreeDigitsAtLeast(int index, string id) => Assert.Equal(id, FacilityPlan.IdOf(index));

    [Fact]
    public void FacilityPlan_Seeds_FirstIsTheRunSeedTheOthersTheStableHashOfRunSeedAndId()
    {
        var seeds = FacilityPlan.SeedsFor(42, 3);

        Assert.Equal(42, seeds[0]);
        Assert.Equal(Expected(42, "facility/f001"), seeds[1]);
        Assert.Equal(Expected(42, "facility/f002"), seeds[2]);
    }

    [Fact]
    public void FacilityPlan_Seeds_DependOnRunSeedAndIndexOnlyNotOnTheNumberOfFacilities()
    {
        var few = FacilityPlan.SeedsFor(9, 5);
        var many = FacilityPlan.SeedsFor(9, 1000);

        Assert.Equal(few, many.Take(5));
        Assert.Equal(1000, many.Distinct().Count());
        Assert.NotEqual(many.Skip(1).Take(5), FacilityPlan.SeedsFor(10, 6).Skip(1));
    }

    [Fact]
    public void FacilityPlan_For_GivesEachFacilityTheRunsMarketWithItsOwnSeed()
    {
        var facilities = FacilityPlan.For(Run, 3);

        Assert.Equal(["f000", "f001", "f002"], facilities.Select(f => f.Id));
        Assert.Equal([0, 1, 2], facilities.Select(f => f.Index));
        Assert.Equal(FacilityPlan.SeedsFor(3, 3), facilities.Select(f => f.Market.Seed));
        Assert.All(facilities, f => Assert.Equal(Run with { Seed = f.Market.Seed }, f.Market));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(FacilityPlan.MaxFacilities + 1)]
    public void FacilityPlan_SeedsFor_OutOfRange_Throws(int count) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => FacilityPlan.SeedsFor(0, count));

    // The derivation written out independently: FNV-1a 64 of the stream name, SplitMix64's finaliser, 31 bits.
    private static int Expected(int runSeed, string stream)
    {
        ulong fnv = 14695981039346656037UL;
        foreach (var ch in stream)
        {
            fnv = (fnv ^ ch) * 1099511628211UL;
        }

        static ulong SplitMix(ulong z)
        {
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        return (int)(SplitMix(SplitMix((ulong)(uint)runSeed) ^ fnv) & 0x7FFFFFFF);
    }
}
