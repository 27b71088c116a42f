using V2V.Actors;
using V2V.Actors.Hooks;
using V2V.Simulation;
using V2V.Market.Configuration;
using V2V.Market.Orders;
using V2V.Market.Protocol;

namespace V2V.Host.Tests.Simulation;

public sealed class LatencyAndFaultFilterTests
{
    private static readonly ActorPath Market = ActorPath.Root("v2v").Child("user").Child(MarketMessages.Coordinator);
    private static readonly ActorPath Facility = Market.Child(MarketMessages.Facility);
    private static readonly StepOpened Opened = new(0, 0, 0.2, 0.2);

    private static LatencyConfig Latency(string model, double slowFraction = 0, double slowFactor = 1) => new(
        model, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300),
        TimeSpan.FromMilliseconds(500), 1.0, slowFraction, slowFactor);

    private static ActorPath Ev(int i) => Facility.Child($"ev-{i:D6}");

    [Fact]
    public void Latency_Constant_AppliesToMarketMessagesBothWaysOnly()
    {
        var model = new MarketLatencyModel(Latency("constant"), seed: 1);

        Assert.Equal(TimeSpan.FromMilliseconds(200), model.Latency(Market, Ev(1), Opened));
        Assert.Equal(TimeSpan.FromMilliseconds(200), model.Latency(Ev(1), Market, new SubmitOrder(0, "ev-000001", Side.Buyer, 0.2, 1, 0.25)));
        Assert.Equal(TimeSpan.Zero, model.Latency(Facility, Ev(1), new Depart(3)));
        Assert.Equal(TimeSpan.Zero, model.Latency(Ev(1), Market, new DepartureReport(3, "ev-000001", 0.5, 0)));
    }

    [Fact]
    public void Latency_Uniform_StaysInRangeAndRepeatsForTheSameSeed()
    {
        var a = new MarketLatencyModel(Latency("uniform"), seed: 3);
        var b = new MarketLatencyModel(Latency("uniform"), seed: 3);
        for (var i = 0; i < 1000; i++)
        {
            var x = a.Latency(Market, Ev(i), Opened);
            Assert.InRange(x, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300));
            Assert.Equal(x, b.Latency(Market, Ev(i), Opened));
        }
    }

    [Fact]
    public void Latency_Lognormal_MedianNearConfigured()
    {
        var model = new MarketLatencyModel(Latency("lognormal"), seed: 5);
        var draws = Enumerable.Range(0, 4001).Select(i => model.Latency(Market, Ev(i), Opened).TotalMilliseconds).Order().ToList();

        // Median of 4001 lognormal draws: within about 5 % of exp(mu) = 500 ms.
        Assert.InRange(draws[2000], 450, 550);
    }

    [Fact]
    public void Latency_SlowFraction_FixedPerAgentAndScaledByFactor()
    {
        var model = new MarketLatencyModel(Latency("constant", slowFraction: 0.25, slowFactor: 10), seed: 9);
        var slow = Enumerable.Range(0, 2000).Count(i => model.IsSlow($"ev-{i:D6}"));

        Assert.InRange(slow, 430, 570); // Binomial(2000, 0.25): mean 500, sd about 19
        for (var i = 0; i < 50; i++)
        {
            var expected = model.IsSlow($"ev-{i:D6}") ? 2000 : 200;
            Assert.Equal(TimeSpan.FromMilliseconds(expected), model.Latency(Ev(i), Market, new FillAccepted(1, $"ev-{i:D6}")));
        }
    }

    [Fact]
    public void FaultFilter_Probabilities_MatchFrequenciesAndSparesControlMessages()
    {
        var filter = new MarketFaultFilter(new FaultConfig(0, 0, 0, 0.1, 0.2, 0.3, TimeSpan.FromSeconds(10)), seed: 2);
        var counts = new Dictionary<string, int> { ["drop"] = 0, ["dup"] = 0, ["delay"] = 0, ["deliver"] = 0 };
        for (var i = 0; i < 10_000; i++)
        {
            var d = filter.Decide(Market, Ev(i % 50), Opened);
            var kind = d.Action switch
            {
                DeliveryAction.Drop => "drop",
                DeliveryAction.Duplicate => "dup",
                _ => d.ExtraDelay > TimeSpan.Zero ? "delay" : "deliver",
            };
            counts[kind]++;
            Assert.InRange(d.ExtraDelay + d.DuplicateDelay, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        }

        // Each within 5 standard deviations of its binomial mean.
        Assert.InRange(counts["drop"], 850, 1150);
        Assert.InRange(counts["dup"], 1800, 2200);
        Assert.InRange(counts["delay"], 2770, 3230);
        Assert.Equal(counts["drop"], filter.Dropped);
        Assert.Equal(DeliveryDecision.Deliver, filter.Decide(Facility, Ev(1), new Depart(1)));
        Assert.Equal(DeliveryDecision.Deliver, filter.Decide(Ev(1), Market, new RecoverState("ev-000001")));
    }
}
