using System.Collections.Concurrent;
using V2V.Actors.TestKit;
using static V2V.Actors.Tests.TestActors;

namespace V2V.Actors.Tests;

public sealed class DeadLetterTests
{
    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void TellToStoppedActor_CountedLoggedAndPublished(DispatcherKind kind)
    {
        var logged = new ConcurrentQueue<ActorLogEntry>();
        var hooked = new ConcurrentQueue<DeadLetter>();
        var options = new ActorSystemOptions { Log = logged.Enqueue, OnDeadLetter = hooked.Enqueue };
        using var kit = new ActorTestKit(kind, options);
        var probe = kit.CreateTestProbe();
        kit.Sys.EventStream.Subscribe(probe, typeof(DeadLetter));
        var target = kit.ActorOf(Props.Create<Echo>(), "gone");
        probe.Watch(target);
        kit.Sys.Stop(target);
        probe.ExpectTerminated(target);

        probe.Send(target, new Ping(1));
        probe.Send(target, new Ping(2));

        // The event stream publishes after counting, logging and the hook: once both arrived, all three happened.
        Assert.Equal(new Ping(1), probe.ExpectMsg<DeadLetter>().Message);
        Assert.Equal(new Ping(2), probe.ExpectMsg<DeadLetter>().Message);
        Assert.Equal(2, kit.Sys.DeadLetterCount);
        Assert.Equal([new Ping(1), new Ping(2)], hooked.Select(d => d.Message));
        Assert.All(hooked, d => Assert.Same(target, d.Recipient));
        Assert.Equal(2, logged.Count(e => e.Message.StartsWith("Dead letter Ping", StringComparison.Ordinal)));
        Assert.All(
            logged.Where(e => e.Message.StartsWith("Dead letter", StringComparison.Ordinal)),
            e => Assert.Equal("v2v://test/user/gone", e.Source));
    }

    [Fact]
    public void DeadLettersRef_TellDirectly_Counted()
    {
        using var kit = new ActorTestKit();

        kit.Sys.DeadLetters.Tell("nobody home", null);

        Assert.Equal(1, kit.Sys.DeadLetterCount);
    }
}
