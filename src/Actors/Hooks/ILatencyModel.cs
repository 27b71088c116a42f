namespace V2V.Actors.Hooks;

/// <summary>
/// Modelled network latency of one user message. Must be deterministic for a given seed (the simulation
/// supplies a seeded one); called once per send, in send order. Negative results count as zero.
/// </summary>
public interface ILatencyModel
{
    TimeSpan Latency(ActorPath? sender, ActorPath receiver, object message);
}

/// <summary>The default: every message arrives when it is sent.</summary>
public sealed class ZeroLatency : ILatencyModel
{
    public static readonly ZeroLatency Instance = new();

    private ZeroLatency()
    {
    }

    public TimeSpan Latency(ActorPath? sender, ActorPath receiver, object message) => TimeSpan.Zero;
}
