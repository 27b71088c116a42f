using V2V.Actors.Hooks;

namespace V2V.Actors.Tests;

/// <summary>Uniform random latency in [0, max): deterministic because the kernel calls it in send order.</summary>
internal sealed class SeededLatency(int seed, TimeSpan max) : ILatencyModel
{
    private readonly Random _random = new(seed);

    public TimeSpan Latency(ActorPath? sender, ActorPath receiver, object message) =>
        TimeSpan.FromTicks(_random.NextInt64(max.Ticks));
}
