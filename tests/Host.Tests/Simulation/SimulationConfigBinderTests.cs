using V2V.Host.Configuration;

namespace V2V.Host.Tests.Simulation;

public sealed class SimulationConfigBinderTests
{
    private static V2V.Market.Configuration.SimulationConfig Bind(params string[] sets)
    {
        var config = ConfigLoader.Load(null, sets);
        return SimulationConfigBinder.Bind(config, MarketConfigBinder.Bind(config).Time);
    }

    [Fact]
    public void Bind_ReferenceDefaults_NoLatencyNoFaults()
    {
        var s = Bind();

        Assert.Equal("none", s.Latency.Model);
        Assert.False(s.Faults.Any);
        Assert.Equal(TimeSpan.FromMinutes(10), s.Protocol.BidWindow);
        Assert.Equal(TimeSpan.FromMinutes(10), s.Protocol.SettlementWindow);
        Assert.Equal(TimeSpan.FromSeconds(30), s.Protocol.CommitRetryInterval);
    }

    [Fact]
    public void Bind_Overrides_AreRead()
    {
        var s = Bind("v2v.simulation.latency.model=lognormal", "v2v.simulation.latency.lognormal-median=250ms",
            "v2v.simulation.faults.crash=0.1", "v2v.simulation.faults.message-delay-max=2s");

        Assert.Equal("lognormal", s.Latency.Model);
        Assert.Equal(TimeSpan.FromMilliseconds(250), s.Latency.LognormalMedian);
        Assert.Equal(0.1, s.Faults.CrashProbability);
        Assert.Equal(TimeSpan.FromSeconds(2), s.Faults.MessageDelayMax);
    }

    [Theory]
    [InlineData("v2v.simulation.latency.model=gaussian", "v2v.simulation.latency.model")]
    [InlineData("v2v.simulation.faults.crash=1.5", "v2v.simulation.faults.crash")]
    [InlineData("v2v.simulation.faults.message-drop=1", "v2v.simulation.faults.message-drop")]
    [InlineData("v2v.simulation.latency.slow-factor=0.5", "v2v.simulation.latency.slow-factor")]
    [InlineData("v2v.simulation.protocol.bid-window=25m", "v2v.simulation.protocol.bid-window")]
    [InlineData("v2v.simulation.protocol.settlement-window=25m", "v2v.simulation.protocol.settlement-window")]
    [InlineData("v2v.simulation.protocol.commit-retry-interval=0s", "v2v.simulation.protocol.commit-retry-interval")]
    public void Bind_InvalidValue_ErrorNamesTheKey(string set, string key)
    {
        var e = Assert.Throws<ConfigException>(() => Bind(set));

        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }
}
