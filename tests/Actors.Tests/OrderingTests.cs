using FsCheck;
using FsCheck.Fluent;
using V2V.Actors.TestKit;

namespace V2V.Actors.Tests;

/// <summary>FIFO per sender-receiver pair, including under random modelled latency in virtual time.</summary>
public sealed class OrderingTests
{
    private sealed record Go(IActorRef Target, int Count);

    private sealed record Seq(int Sender, int N);

    private sealed record Done(int Received, int Violations);

    /// <summary>On Go, sends Seq(id, 0..Count-1) to the target.</summary>
    private sealed class Sender : ReceiveActor
    {
        public Sender(int id) =>
            Receive<Go>(g =>
            {
                for (int i = 0; i < g.Count; i++)
                {
                    g.Target.Tell(new Seq(id, i), Self);
                }
            });
    }

    /// <summary>Checks each sender's numbers arrive in order; reports once <c>expected</c> have arrived.</summary>
    private sealed class Receiver : ReceiveActor
    {
        private readonly Dictionary<int, int> _next = [];
        private int _received;
        private int _violations;

        public Receiver(int expected, IActorRef report) =>
            Receive<Seq>(s =>
            {
                _next.TryGetValue(s.Sender, out int next);
                if (s.N != next)
                {
                    _violations++;
                }

                _next[s.Sender] = s.N + 1;
                if (++_received == expected)
                {
                    report.Tell(new Done(_received, _violations), Self);
                }
            });
    }

    private static Done Run(ActorTestKit kit, int senders, int perSender)
    {
        var probe = kit.CreateTestProbe();
        var receiver = kit.ActorOf(Props.Create(() => new Receiver(senders * perSender, probe)), "receiver");
        for (int s = 0; s < senders; s++)
        {
            int id = s;
            kit.ActorOf(Props.Create(() => new Sender(id)), $"sender-{id}").Tell(new Go(receiver, perSender), null);
        }

        return probe.ExpectMsg<Done>(timeout: TimeSpan.FromMinutes(10));
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void Fifo_ManySendersInParallel_EachPairInOrder(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);

        Assert.Equal(new Done(8 * 250, 0), Run(kit, 8, 250));
    }

    [Fact]
    public void Fifo_RandomLatencyAnySeed_EachPairInOrder()
    {
        Prop.ForAll(
                ArbMap.Default.ArbFor<int>(),
                seed =>
                {
                    var options = new ActorSystemOptions { LatencyModel = new SeededLatency(seed, TimeSpan.FromMilliseconds(50)) };
                    using var kit = new ActorTestKit(DispatcherKind.VirtualTime, options);
                    return Run(kit, 4, 30) == new Done(120, 0);
                })
            .QuickCheckThrowOnFailure();
    }

    [Fact]
    public void RandomLatency_DifferentPairs_Interleave()
    {
        // Guards the property above against a latency model that does nothing: pairs do overtake each other.
        var options = new ActorSystemOptions { LatencyModel = new SeededLatency(7, TimeSpan.FromMilliseconds(50)) };
        using var kit = new ActorTestKit(DispatcherKind.VirtualTime, options);
        var senders = new List<string>();
        kit.Kernel.OnDeliver = d =>
        {
            if (d.Message is Seq s)
            {
                senders.Add(s.Sender.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        };

        Run(kit, 4, 30);

        Assert.NotEqual([.. senders.Order(StringComparer.Ordinal)], senders);
    }
}
