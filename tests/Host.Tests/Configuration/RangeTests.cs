using V2V.Host.Configuration;

namespace V2V.Host.Tests.Configuration;

/// <summary>Numeric options and keys outside the range a run can hold are refused with the range, before anything is written.</summary>
public sealed class RangeTests
{
    // TimeSpan.MaxValue is 922,337,203,685.4775807 s = 256,204,778.80 h; half of it in 0.5 h steps is 256,204,778.8 steps,
    // which at 16 steps a day is 16,012,798.7 days.
    private const int MaxDaysAtReferenceSteps = 16_012_798;

    [Fact]
    public void Run_DaysOverflowingTheStepCount_ExitsTwoNamingOptionKeyAndRange()
    {
        using var temp = new TempFolder();
        var dir = Path.Combine(temp.Path, "run");

        var (code, _, error) = V2vCli.Run("run", "--quiet", "--days", "150000000", "--out", dir);

        Assert.Equal(2, code);
        Assert.Equal(
            $"v2v run: --days 150000000: v2v.time.days: 150000000 days x 16 steps-per-day = 2400000000 steps of 0.5 h is more than a run can count; expected days in [1, {MaxDaysAtReferenceSteps}]",
            error.TrimEnd());
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Bind_DaysAtTheLimit_BindsAndOneMoreIsRefused()
    {
        var atLimit = MarketConfigBinder.Bind(ConfigLoader.Load(null, [$"v2v.time.days={MaxDaysAtReferenceSteps}"]));
        var e = Assert.Throws<ConfigException>(() => MarketConfigBinder.Bind(ConfigLoader.Load(null, [$"v2v.time.days={MaxDaysAtReferenceSteps + 1}"])));

        Assert.Equal(MaxDaysAtReferenceSteps * 16, atLimit.Time.TotalSteps);
        Assert.Equal("v2v.time.days", e.KeyPath);
    }

    [Fact]
    public void Bind_StepsPerDayTimesDaysBeyondAnInt_NamesDaysWithTheLargestThatFits()
    {
        // 1,000,000 steps a day of 1e-6 h: the int limit binds first, half of an int (1073741823) / 1e6 = 1073 days.
        var e = Assert.Throws<ConfigException>(() => MarketConfigBinder.Bind(ConfigLoader.Load(
            null, ["v2v.time.steps-per-day=1000000", "v2v.time.step-hours=1e-6", "v2v.time.days=1074"])));

        Assert.Equal("v2v.time.days", e.KeyPath);
        Assert.EndsWith("expected days in [1, 1073]", e.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--seed", "99999999999", "v2v run: --seed: expected a whole number in [0, 2147483647], got '99999999999'")]
    [InlineData("--seed", "-1", "v2v run: --seed: expected a whole number in [0, 2147483647], got '-1'")]
    [InlineData("--agents", "0", "v2v run: --agents: expected a whole number in [1, 2147483647], got '0'")]
    [InlineData("--days", "1.5", "v2v run: --days: expected a whole number in [1, 2147483647], got '1.5'")]
    public void Run_OptionOutOfRange_ExitsTwoWithTheRange(string option, string value, string message)
    {
        var (code, _, error) = V2vCli.Run("run", "--quiet", option, value);

        Assert.Equal(2, code);
        Assert.Equal(message, error.TrimEnd());
    }

    [Fact]
    public void Train_EpisodesZero_ExitsTwoWithTheRange()
    {
        using var temp = new TempFolder();

        var (code, _, error) = V2vCli.Run("train", "--method", "learning-only", "--episodes", "0", "--out", Path.Combine(temp.Path, "t"));

        Assert.Equal(2, code);
        Assert.Equal("v2v train: --episodes: expected a whole number in [1, 2147483647], got '0'", error.TrimEnd());
    }

    [Fact]
    public void Bind_SeedBeyondAnInt_NamesTheIntRange()
    {
        var e = Assert.Throws<ConfigException>(() => MarketConfigBinder.Bind(ConfigLoader.Load(null, ["v2v.seed=1e10"])));

        Assert.Equal("expected a whole number in [-2147483648, 2147483647], got 1e10", e.Detail);
    }

    [Fact]
    public void Bind_ReplayCapacityBeyondOneArray_NamesTheLargest()
    {
        // 71 floats per transition (CriticContext.CriticInputSize); Array.MaxLength = 2,147,483,591; 2147483591 / 71 = 30246247.
        var e = Assert.Throws<ConfigException>(() => LearningConfigBinder.Bind(ConfigLoader.Load(null, ["v2v.learning.replay-capacity=30246248"])));
        var fits = LearningConfigBinder.Bind(ConfigLoader.Load(null, ["v2v.learning.replay-capacity=30246247"]));

        Assert.Equal("v2v.learning.replay-capacity", e.KeyPath);
        Assert.Contains("[batch-size, 30246247]", e.Detail, StringComparison.Ordinal);
        Assert.Equal(30246247, fits.ReplayCapacity);
    }

    [Fact]
    public void Bind_LayerWiderThanOneWeightArray_IsRefused()
    {
        var e = Assert.Throws<ConfigException>(() => LearningConfigBinder.Bind(ConfigLoader.Load(null, ["v2v.learning.actor-hidden=[128, 32769]"])));

        Assert.Equal("layer widths must be in [1, 32768], got 32769 at index 1", e.Detail);
    }

    [Theory]
    [InlineData("v2v.simulation.protocol.bid-window=25m", "v2v.simulation.protocol.bid-window")]
    [InlineData("v2v.simulation.protocol.bid-window=31m", "v2v.simulation.protocol.bid-window")]
    [InlineData("v2v.simulation.protocol.settlement-window=25m", "v2v.simulation.protocol.settlement-window")]
    public void Bind_WindowsLongerThanAStep_BlameTheWindowThatWasChanged(string set, string blamed)
    {
        var config = ConfigLoader.Load(null, [set]);

        var e = Assert.Throws<ConfigException>(() => SimulationConfigBinder.Bind(config, MarketConfigBinder.Bind(config).Time));

        Assert.Equal(blamed, e.KeyPath);
    }

    [Theory]
    [InlineData("v2v.time.step-hours=1e9", "v2v.time.step-hours")]
    [InlineData("v2v.population.stay-max-steps=2147483647", "v2v.population.stay-max-steps")]
    [InlineData("v2v.population.mean-stay-steps=1e-300", "v2v.population.mean-stay-steps")]
    [InlineData("v2v.population.mean-stay-steps=13", "v2v.population.mean-stay-steps")]
    [InlineData("v2v.vehicle.battery-kwh=1e300", "v2v.vehicle.battery-kwh")]
    [InlineData("v2v.vehicle.power-cap-kw=1000001", "v2v.vehicle.power-cap-kw")]
    [InlineData("v2v.tariff.grid-price=1e300", "v2v.tariff.grid-price")]
    [InlineData("v2v.tariff.grid-price-by-step-of-day=[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2e6]", "v2v.tariff.grid-price-by-step-of-day[15]")]
    [InlineData("v2v.values.seller-replacement=1e300", "v2v.values.seller-replacement")]
    [InlineData("v2v.values.seller-degradation=1e7", "v2v.values.seller-degradation")]
    public void Bind_MarketValueThatWouldOverflowOrContradict_NamesTheKey(string set, string key)
    {
        var e = Assert.Throws<ConfigException>(() => MarketConfigBinder.Bind(ConfigLoader.Load(null, [set])));

        Assert.Equal(key, e.KeyPath);
    }

    [Fact]
    public void Bind_LargestMagnitudes_Bind()
    {
        var market = MarketConfigBinder.Bind(ConfigLoader.Load(null, ["v2v.vehicle.battery-kwh=1e6", "v2v.tariff.grid-price=1e6"]));

        Assert.Equal(1e6, market.Vehicle.BatteryKwh);
    }

    [Fact]
    public void Bind_StepShorterThanTheReferenceWindows_BlamesTheStep()
    {
        var config = ConfigLoader.Load(null, ["v2v.time.step-hours=0.25"]);

        var e = Assert.Throws<ConfigException>(() => SimulationConfigBinder.Bind(config, MarketConfigBinder.Bind(config).Time));

        Assert.Equal("v2v.time.step-hours", e.KeyPath);
        Assert.Equal("bid-window + settlement-window must be shorter than a step (00:15:00), got 00:10:00 + 00:10:00 = 00:20:00", e.Detail);
    }

    [Fact]
    public void Bind_MessageDelayLongerThanTheRun_IsRefusedAndTheRunLengthBinds()
    {
        // One day of 16 half-hour steps is 8 h.
        var refused = ConfigLoader.Load(null, ["v2v.time.days=1", "v2v.simulation.faults.message-delay-max=481m"]);
        var atLimit = ConfigLoader.Load(null, ["v2v.time.days=1", "v2v.simulation.faults.message-delay-max=8h"]);

        var e = Assert.Throws<ConfigException>(() => SimulationConfigBinder.Bind(refused, MarketConfigBinder.Bind(refused).Time));

        Assert.Equal("expected a duration in [0, the run's length 08:00:00], got 08:01:00", e.Detail);
        Assert.Equal(TimeSpan.FromHours(8), SimulationConfigBinder.Bind(atLimit, MarketConfigBinder.Bind(atLimit).Time).Faults.MessageDelayMax);
    }

    [Fact]
    public void Run_ConfigIsADirectory_SaysSo()
    {
        using var temp = new TempFolder();

        var (code, _, error) = V2vCli.Run("run", "--quiet", "--config", temp.Path);

        Assert.Equal(2, code);
        Assert.Contains("--config names a directory, not a config file", error, StringComparison.Ordinal);
    }
}
