using V2V.Actors.TestKit;
using static V2V.Actors.Tests.TestActors;

namespace V2V.Actors.Tests;

public sealed class TellAndForwardTests
{
    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void Tell_PingFromProbe_EchoRepliesToProbe(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var probe = kit.CreateTestProbe();
        var echo = kit.ActorOf(Props.Create<Echo>(), "echo");

        probe.Send(echo, new Ping(7));

        Assert.Equal(new Pong(7), probe.ExpectMsg<Pong>());
        Assert.Same(echo, probe.LastSender);
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void Forward_ThroughProxy_ReplyGoesToOriginalSender(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var probe = kit.CreateTestProbe();
        var echo = kit.ActorOf(Props.Create<Echo>(), "echo");
        var proxy = kit.ActorOf(Props.Create(() => new Forwarder(echo)), "proxy");

        probe.Send(proxy, new Ping(3));

        probe.ExpectMsg(new Pong(3));
        Assert.Same(echo, probe.LastSender);
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void Tell_WithoutSender_ReplyBecomesDeadLetter(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var probe = kit.CreateTestProbe();
        kit.Sys.EventStream.Subscribe(probe, typeof(DeadLetter));
        var echo = kit.ActorOf(Props.Create<Echo>(), "echo");

        echo.Tell(new Ping(1), ActorRefs.NoSender);

        var letter = probe.ExpectMsg<DeadLetter>();
        Assert.Equal(new Pong(1), letter.Message);
        Assert.Same(echo, letter.Sender);
        Assert.Equal(1, kit.Sys.DeadLetterCount);
    }
}
