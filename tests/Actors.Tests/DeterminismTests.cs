using System.Globalization;
using V2V.Actors.Hooks;
using V2V.Actors.TestKit;

namespace V2V.Actors.Tests;

/// <summary>Virtual time: the same seed and latency model give the same order of every delivered message.</summary>
public sealed class DeterminismTests
{
    private sealed record Join(IReadOnlyList<IActorRef> Peers);

    private sealed record Rumour(int Hops, int Origin);

    /// <summary>Passes each rumour to a random peer (seeded from the run seed and its path) until hops run out.</summary>
    private sealed class Gossip : ReceiveActor
    {
        private readonly Random _random;
        private IReadOnlyList<IActorRef> _peers = [];

        public Gossip(int seed)
        {
            _random = new Random(seed ^ (int)Self.Path.StableId);
            Receive<Join>(j => _peers = j.Peers);
            Receive<Rumour>(r =>
            {
                if (r.Hops > 0)
                {
                    _peers[_random.Next(_peers.Count)].Tell(r with { Hops = r.Hops - 1 }, Self);
                    if (_random.Next(4) == 0)
                    {
                        Context.Scheduler.ScheduleTellOnce(
                            TimeSpan.FromMilliseconds(_random.Next(100)), Self, r with { Hops = r.Hops / 2 }, Self);
                    }
                }
            });
        }
    }

    /// <summary>Drops and duplicates a seeded fraction of messages, to show faults replay too.</summary>
    private sealed class SeededFaults(int seed) : IDeliveryFilter
    {
        private readonly Random _random = new(seed);

        public DeliveryDecision Decide(ActorPath? sender, ActorPath receiver, object message) => _random.Next(20) switch
        {
            0 => DeliveryDecision.Drop,
            1 => DeliveryDecision.Duplicate(TimeSpan.FromMilliseconds(_random.Next(30))),
            2 => DeliveryDecision.Delay(TimeSpan.FromMilliseconds(_random.Next(200))),
            _ => DeliveryDecision.Deliver,
        };
    }

    private static List<string> Record(int seed)
    {
        var options = new ActorSystemOptions
        {
            LatencyModel = new SeededLatency(seed, TimeSpan.FromMilliseconds(40)),
            DeliveryFilter = new SeededFaults(seed),
        };
        using var kit = new ActorTestKit(DispatcherKind.VirtualTime, options, "sim");
        var trace = new List<string>();
        kit.Kernel.OnDeliver = d => trace.Add(string.Create(
            CultureInfo.InvariantCulture, $"{d.At.Ticks} {d.Sender?.Path} -> {d.Recipient.Path}: {d.Message}"));

        var peers = new List<IActorRef>();
        for (int i = 0; i < 16; i++)
        {
            peers.Add(kit.ActorOf(Props.Create(() => new Gossip(seed)), $"node-{i}"));
        }

        foreach (var peer in peers)
        {
            peer.Tell(new Join(peers), null);
        }

        for (int i = 0; i < peers.Count; i++)
        {
            peers[i].Tell(new Rumour(40, i), null);
        }

        kit.RunUntilIdle();
        return trace;
    }

    [Fact]
    public void VirtualTime_SameSeedWithLatencyAndFaults_IdenticalDeliveryOrder()
    {
        var first = Record(seed: 2024);
        var second = Record(seed: 2024);

        Assert.True(first.Count > 500, $"only {first.Count} deliveries: the scenario is too small to mean much");
        Assert.Equal(first, second);
    }

    [Fact]
    public void VirtualTime_DifferentSeed_DifferentDeliveryOrder()
    {
        Assert.NotEqual(Record(seed: 1), Record(seed: 2));
    }
}
