using V2V.Market.Configuration;
using V2V.Market.Network;
using V2V.Simulation.Network;

namespace V2V.Host.Tests.Simulation;

/// <summary>
/// The seeded network (DESIGN "Simulated time on a real actor runtime"): a pure function of (seed, message identity),
/// whose frequencies match the configured probabilities. Frequencies are checked against binomial bounds of five
/// standard deviations, not exact counts: the draws are counter-based hashes, not a known sequence.
/// </summary>
public sealed class SimulatedNetworkTests
{
    private static readonly LatencyConfig NoLatency = new("none", TimeSpan.FromMilliseconds(200), TimeSpan.Zero, TimeSpan.FromSeconds(2),
        TimeSpan.FromMilliseconds(500), 1.0, SlowFraction: 0, SlowFactor: 10);

    private static readonly FaultConfig NoFaults = new(0, 0, 0, 0, 0, 0, TimeSpan.FromMinutes(5));

    private static readonly FaultConfig MessageFaults = NoFaults with
    {
        MessageDropProbability = 0.1,
        MessageDuplicateProbability = 0.05,
        MessageDelayProbability = 0.2,
    };

    private static readonly LatencyConfig Lognormal = NoLatency with { Model = "lognormal", SlowFraction = 0.3, SlowFactor = 4 };

    [Fact]
    public void Fate_SameIdentityOnTwoInstances_SameFate()
    {
        var a = new SimulatedNetwork(Lognormal, MessageFaults, seed: 7);
        var b = new SimulatedNetwork(Lognormal, MessageFaults, seed: 7);

        foreach (var m in Messages(40))
        {
            Assert.Equal(a.Fate(m.Kind, m.Agent, m.Step, m.Key, m.Attempt), b.Fate(m.Kind, m.Agent, m.Step, m.Key, m.Attempt));
            Assert.Equal(a.IsSlow(m.Agent), b.IsSlow(m.Agent));
        }
    }

    [Fact]
    public void Fate_AskedInAnotherOrderOrTwice_DoesNotChange()
    {
        var network = new SimulatedNetwork(Lognormal, MessageFaults, seed: 7);
        var messages = Messages(40).ToList();
        var forward = messages.Select(m => network.Fate(m.Kind, m.Agent, m.Step, m.Key, m.Attempt)).ToList();
        var shuffled = Enumerable.Range(0, messages.Count).OrderBy(i => (i * 7919) % messages.Count).ToList();
        var backward = new MessageFate[messages.Count];
        foreach (var i in shuffled)
        {
            var m = messages[i];
            backward[i] = network.Fate(m.Kind, m.Agent, m.Step, m.Key, m.Attempt);
        }

        Assert.Equal(forward, backward);
    }

    [Fact]
    public void Fate_AnotherSeedOrAnotherAttempt_GivesOtherFates()
    {
        var seven = new SimulatedNetwork(Lognormal, MessageFaults, seed: 7);
        var eight = new SimulatedNetwork(Lognormal, MessageFaults, seed: 8);
        var messages = Messages(40).ToList();

        Assert.Contains(messages, m => seven.Fate(m.Kind, m.Agent, m.Step, m.Key, m.Attempt) != eight.Fate(m.Kind, m.Agent, m.Step, m.Key, m.Attempt));

        // A lost commit is resent with the next attempt: its fate is drawn afresh, so a resend is lost only with p.
        var lost = messages.Where(m => seven.Fate(m.Kind, m.Agent, m.Step, m.Key, 0).Lost).ToList();
        Assert.NotEmpty(lost);
        Assert.Contains(lost, m => !seven.Fate(m.Kind, m.Agent, m.Step, m.Key, 1).Lost);
    }

    [Fact]
    public void IsSlow_2000Agents_FractionWithinBinomialBoundOfConfigured()
    {
        var network = new SimulatedNetwork(Lognormal, NoFaults, seed: 3);
        var slow = Enumerable.Range(0, 2000).Count(i => network.IsSlow($"ev-{i}"));

        AssertBinomial(slow, 2000, 0.3);
    }

    [Fact]
    public void IsSlow_NoSlowFraction_NobodyIsSlow()
    {
        var network = new SimulatedNetwork(Lognormal with { SlowFraction = 0 }, NoFaults, seed: 3);

        Assert.DoesNotContain(Enumerable.Range(0, 2000), i => network.IsSlow($"ev-{i}"));
    }

    [Fact]
    public void Fate_ConstantLatency_SlowAgentsGetExactlySlowFactorTimesIt()
    {
        var latency = NoLatency with { Model = "constant", SlowFraction = 0.25, SlowFactor = 4 };
        var network = new SimulatedNetwork(latency, NoFaults, seed: 5);
        var agents = Enumerable.Range(0, 400).Select(i => $"ev-{i}").ToList();

        foreach (var agent in agents)
        {
            var fate = network.Fate(MessageKind.Order, agent, step: 3, key: 0, attempt: 0);
            Assert.Equal(new MessageFate(false, network.IsSlow(agent) ? 800 : 200, null, false), fate);
        }

        // Both classes occur, or the check above proves half of what it says.
        Assert.Contains(agents, network.IsSlow);
        Assert.Contains(agents, a => !network.IsSlow(a));
    }

    [Fact]
    public void Fate_UniformLatency_StaysWithinItsBoundsAndSpreadsOverThem()
    {
        var latency = NoLatency with { Model = "uniform", UniformMin = TimeSpan.FromMilliseconds(100), UniformMax = TimeSpan.FromMilliseconds(300) };
        var network = new SimulatedNetwork(latency, NoFaults, seed: 5);
        var delays = Messages(30).Select(m => network.Fate(m.Kind, m.Agent, m.Step, m.Key, m.Attempt).DelayMs).ToList();

        Assert.All(delays, d => Assert.InRange(d, 100, 300));
        AssertBinomial(delays.Count(d => d < 200), delays.Count, 0.5);
    }

    [Fact]
    public void Fate_MessageFaults_DropDuplicateAndDelayFrequenciesWithinBinomialBounds()
    {
        var network = new SimulatedNetwork(NoLatency, MessageFaults, seed: 11);
        var fates = Messages(60).Select(m => network.Fate(m.Kind, m.Agent, m.Step, m.Key, m.Attempt)).ToList();

        AssertBinomial(fates.Count(f => f.Lost), fates.Count, 0.1);
        AssertBinomial(fates.Count(f => f.DuplicateAfterMs is not null), fates.Count, 0.05);
        AssertBinomial(fates.Count(f => f.Delayed), fates.Count, 0.2);

        // One fault per message; without latency an unfaulted message is instant, a delayed one at most the delay max.
        Assert.All(fates, f => Assert.True((f.Lost ? 1 : 0) + (f.Delayed ? 1 : 0) + (f.DuplicateAfterMs is null ? 0 : 1) <= 1));
        Assert.All(fates.Where(f => !f.Lost && !f.Delayed), f => Assert.Equal(0, f.DelayMs));
        Assert.All(fates.Where(f => f.Delayed), f => Assert.InRange(f.DelayMs, 0, TimeSpan.FromMinutes(5).TotalMilliseconds));
    }

    [Fact]
    public void Fate_Duplicate_ArrivesAfterTheOriginalWithinTheDelayMax()
    {
        var network = new SimulatedNetwork(Lognormal, MessageFaults, seed: 11);
        var duplicates = Messages(30)
            .Select(m => network.Fate(m.Kind, m.Agent, m.Step, m.Key, m.Attempt))
            .Where(f => f.DuplicateAfterMs is not null)
            .ToList();

        Assert.NotEmpty(duplicates);
        Assert.All(duplicates, f =>
        {
            Assert.False(f.Lost);
            Assert.True(f.DelayMs > 0);
            Assert.InRange(f.DuplicateAfterMs!.Value, double.Epsilon, TimeSpan.FromMinutes(5).TotalMilliseconds);
        });
    }

    [Fact]
    public void Fate_NoLatencyNoFaults_EveryMessageInstant()
    {
        var network = new SimulatedNetwork(NoLatency, NoFaults, seed: 1);

        Assert.True(network.IsInstant);
        Assert.All(Messages(20), m => Assert.Equal(MessageFate.Instant, network.Fate(m.Kind, m.Agent, m.Step, m.Key, m.Attempt)));
    }

    [Fact]
    public void IsInstant_LatencyOrAnyMessageFault_False()
    {
        Assert.False(new SimulatedNetwork(NoLatency with { Model = "constant" }, NoFaults, 1).IsInstant);
        Assert.False(new SimulatedNetwork(NoLatency, NoFaults with { MessageDropProbability = 0.01 }, 1).IsInstant);
        Assert.False(new SimulatedNetwork(NoLatency, NoFaults with { MessageDuplicateProbability = 0.01 }, 1).IsInstant);
        Assert.False(new SimulatedNetwork(NoLatency, NoFaults with { MessageDelayProbability = 0.01 }, 1).IsInstant);
    }

    // |k - np| <= 5 sqrt(np(1-p)): a seeded draw outside it means the probability is not the configured one.
    private static void AssertBinomial(int count, int n, double p)
    {
        var sd = Math.Sqrt(n * p * (1 - p));
        Assert.InRange(count, (n * p) - (5 * sd), (n * p) + (5 * sd));
    }

    // Every message kind for `agents` EVs over 5 steps, trade keys 0-3, attempt 0: 40 agents give 6400 messages.
    private static IEnumerable<(MessageKind Kind, string Agent, int Step, long Key, int Attempt)> Messages(int agents) =>
        from kind in Enum.GetValues<MessageKind>()
        from a in Enumerable.Range(0, agents)
        from step in Enumerable.Range(0, 5)
        from key in Enumerable.Range(0, 4)
        select (kind, $"ev-{a}", step, (long)key * 1000, 0);
}
