using V2V.Market.Configuration;
using V2V.Market.Network;
using V2V.Market.Randomness;

namespace V2V.Simulation.Network;

/// <summary>
/// The seeded network between EVs and their coordinator (DESIGN "Simulated time on a real actor runtime"): latency
/// (none, constant, uniform or lognormal; a seeded slow class of EVs sees it multiplied) and message faults (drop,
/// duplicate, delay by up to <see cref="FaultConfig.MessageDelayMax"/>). Every draw is counter-based: a stable hash of
/// (run seed, message kind, EV, step, key, attempt, draw index), so a message's fate does not depend on which node asks,
/// or when, or in which order other messages were sent. Immutable.
/// </summary>
public sealed class SimulatedNetwork : INetworkModel
{
    private readonly LatencyConfig latency;
    private readonly FaultConfig faults;
    private readonly ulong seed;

    public SimulatedNetwork(LatencyConfig latency, FaultConfig faults, int seed)
    {
        this.latency = latency;
        this.faults = faults;
        this.seed = Seeds.Mix((ulong)(uint)seed ^ 0x6E6574776F726BUL);
        HasLatency = latency.Model != "none";
        HasFaults = faults.MessageDropProbability > 0 || faults.MessageDuplicateProbability > 0 || faults.MessageDelayProbability > 0;
    }

    public bool HasLatency { get; }

    public bool HasFaults { get; }

    public bool IsInstant => !HasLatency && !HasFaults;

    public bool IsSlow(string agent)
    {
        if (latency.SlowFraction <= 0)
        {
            return false;
        }

        var h = Seeds.Mix(Seeds.Hash(agent) ^ seed ^ 0x5105UL);
        return ToUnit(h) < latency.SlowFraction;
    }

    public MessageFate Fate(MessageKind kind, string agent, int step, long key, int attempt)
    {
        if (IsInstant)
        {
            return MessageFate.Instant;
        }

        var id = Seeds.Mix(seed ^ Seeds.Hash(agent)) ^ Seeds.Mix(((ulong)kind << 56) ^ ((ulong)(uint)step << 24) ^ (ulong)(uint)attempt)
            ^ Seeds.Mix((ulong)key ^ 0xA5A5A5A5UL);
        var delayMs = HasLatency ? LatencyMs(agent, id) : 0;
        if (!HasFaults)
        {
            return new MessageFate(false, delayMs, null, false);
        }

        var u = Draw(id, 10);
        var extraMs = faults.MessageDelayMax.TotalMilliseconds * Draw(id, 11);
        var drop = faults.MessageDropProbability;
        var duplicate = drop + faults.MessageDuplicateProbability;
        var delay = duplicate + faults.MessageDelayProbability;
        return u < drop ? new MessageFate(true, 0, null, false)
            : u < duplicate ? new MessageFate(false, delayMs, extraMs, false)
            : u < delay ? new MessageFate(false, delayMs + extraMs, null, true)
            : new MessageFate(false, delayMs, null, false);
    }

    private double LatencyMs(string agent, ulong id)
    {
        var ms = latency.Model switch
        {
            "constant" => latency.Constant.TotalMilliseconds,
            "uniform" => latency.UniformMin.TotalMilliseconds
                + ((latency.UniformMax.TotalMilliseconds - latency.UniformMin.TotalMilliseconds) * Draw(id, 1)),
            "lognormal" => latency.LognormalMedian.TotalMilliseconds * Math.Exp(latency.LognormalSigma * StandardNormal(id)),
            _ => throw new InvalidOperationException($"unknown latency model '{latency.Model}'"),
        };
        return IsSlow(agent) ? ms * latency.SlowFactor : ms;
    }

    // Box-Muller on two counter-based uniforms.
    private static double StandardNormal(ulong id)
    {
        var u1 = 1.0 - Draw(id, 2);
        var u2 = Draw(id, 3);
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static double Draw(ulong id, ulong index) => ToUnit(Seeds.Mix(id + (index * 0x9E3779B97F4A7C15UL)));

    private static double ToUnit(ulong h) => (h >> 11) * (1.0 / (1UL << 53));
}
