using V2V.Actors;
using V2V.Actors.Hooks;
using V2V.Market.Configuration;
using V2V.Market.Randomness;

namespace V2V.Simulation;

/// <summary>
/// Latency of market messages (issue 3, part 3): none, constant, uniform or lognormal, drawn from one seeded stream
/// in send order (the virtual kernel calls this once per send, in a deterministic order). A seeded
/// <see cref="LatencyConfig.SlowFraction"/> of agents, fixed per agent, sees every latency times
/// <see cref="LatencyConfig.SlowFactor"/>. Every other message is instantaneous.
/// </summary>
public sealed class MarketLatencyModel : ILatencyModel
{
    private readonly LatencyConfig config;
    private readonly int seed;
    private readonly Random rng;

    public MarketLatencyModel(LatencyConfig config, int seed)
    {
        this.config = config;
        this.seed = seed;
        rng = Seeds.CreateRandom(seed, "simulation.latency");
    }

    public bool IsZero => config.Model == "none";

    /// <summary>Whether an agent belongs to the slow class: a pure function of (seed, agent).</summary>
    public bool IsSlow(string agent)
    {
        if (config.SlowFraction <= 0)
        {
            return false;
        }

        var h = Seeds.Mix(Seeds.Hash(agent) ^ Seeds.Mix((ulong)(uint)seed ^ 0x5105UL));
        return (h >> 11) * (1.0 / (1UL << 53)) < config.SlowFraction;
    }

    public TimeSpan Latency(ActorPath? sender, ActorPath receiver, object message)
    {
        if (IsZero || !MarketMessages.IsMarket(message) || MarketMessages.AgentOf(sender, receiver) is not { } agent)
        {
            return TimeSpan.Zero;
        }

        var ticks = Draw();
        return TimeSpan.FromTicks((long)(IsSlow(agent) ? ticks * config.SlowFactor : ticks));
    }

    private double Draw() => config.Model switch
    {
        "constant" => config.Constant.Ticks,
        "uniform" => config.UniformMin.Ticks + ((config.UniformMax.Ticks - config.UniformMin.Ticks) * rng.NextDouble()),
        "lognormal" => config.LognormalMedian.Ticks * Math.Exp(config.LognormalSigma * StandardNormal()),
        _ => throw new InvalidOperationException($"unknown latency model '{config.Model}'"),
    };

    // Box-Muller; two uniforms per draw keeps the stream's consumption fixed per message.
    private double StandardNormal()
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
