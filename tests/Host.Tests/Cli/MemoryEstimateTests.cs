using V2V.Host.Cli;
using V2V.Host.Configuration;

namespace V2V.Host.Tests.Cli;

/// <summary>The memory estimate of a run, checked before any work: hand-computed sizes and the refusal.</summary>
public sealed class MemoryEstimateTests
{
    [Fact]
    public void RunBytes_Reference100EvsThirtyDaysNash_BaseLedgerAndBook()
    {
        var market = MarketConfigBinder.Bind(ConfigLoader.Load(null, ["v2v.population.agents=100"]));

        // 64 MB + 900 B x 100 EVs x 480 steps + 300 B x 100^2 = 64e6 + 43.2e6 + 3e6 (measured peak: 100 MB).
        Assert.Equal(110.2e6, MemoryEstimate.RunBytes(market), 1e-3);
    }

    [Fact]
    public void RunBytes_ShortMeanStay_CountsTheEvsParkedAtOnce()
    {
        // Stays of 4..12 steps (mean 8) with arrivals for a mean stay of 4 keep 2 x N parked: 200 EVs for N = 100.
        var market = MarketConfigBinder.Bind(ConfigLoader.Load(
            null, ["v2v.population.agents=100", "v2v.population.mean-stay-steps=4", "v2v.time.days=1", "v2v.clearing.mechanism=double-auction"]));

        Assert.Equal(64e6 + (900.0 * 200 * 16), MemoryEstimate.RunBytes(market), 1e-3);
    }

    [Fact]
    public void RunBytes_StaysLongerThanTheRun_CountOnlyTheStepsThereAre()
    {
        // Stays of 4..1e9 steps arrive at N / 8 per step for the 16 steps of one day: at most 16 / 8 = 2 x N parked.
        var market = MarketConfigBinder.Bind(ConfigLoader.Load(
            null, ["v2v.population.agents=100", "v2v.population.stay-max-steps=1000000000", "v2v.time.days=1", "v2v.clearing.mechanism=double-auction"]));

        Assert.Equal(64e6 + (900.0 * 200 * 16), MemoryEstimate.RunBytes(market), 1e-3);
    }

    [Fact]
    public void Require_MoreThanAvailable_RefusesWithBothSizes()
    {
        var e = Assert.Throws<UsageException>(() => MemoryEstimate.Require(3e12, 16_000_000_000, "1000000 EVs", "lower --agents"));

        Assert.Equal("not enough memory: 1000000 EVs needs about 3 TB (estimated), 16 GB is available; lower --agents", e.Message);
    }

    [Fact]
    public void Require_WithinAvailable_Passes() => MemoryEstimate.Require(1e9, 2_000_000_000, "x", "y");

    [Theory]
    [InlineData(999, "999 B")]
    [InlineData(110.2e6, "110.2 MB")]
    [InlineData(3.004e14, "300.4 TB")]
    [InlineData(5.76e21, "5.8e+3 EB")]
    public void Show_Bytes_InTheLargestUnitBelowOneThousand(double bytes, string expected) => Assert.Equal(expected, MemoryEstimate.Show(bytes));

    [Fact]
    public void Run_MillionAgents_ExitsTwoBeforeCreatingTheFolder()
    {
        using var temp = new Configuration.TempFolder();
        var dir = Path.Combine(temp.Path, "run");

        var (code, _, error) = V2vCli.Run("run", "--quiet", "--agents", "1000000", "--out", dir);

        // 300 B x 1e12 alone is 300 TB: more than any machine this runs on.
        Assert.Equal(2, code);
        Assert.StartsWith("v2v run: not enough memory: 1000000 EVs for 30 days with nash clearing needs about 300.4 TB (estimated), ", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void AvailableBytes_IsPositiveAndAtMostTheGcLimit()
    {
        long available = MemoryEstimate.AvailableBytes();

        Assert.InRange(available, 1, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
    }
}
