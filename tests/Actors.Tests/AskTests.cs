using V2V.Actors.TestKit;
using static V2V.Actors.Tests.TestActors;

namespace V2V.Actors.Tests;

public sealed class AskTests
{
    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void Ask_EchoReplies_TaskCompletesWithReply(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var echo = kit.ActorOf(Props.Create<Echo>(), "echo");

        var pong = kit.Await(echo.Ask<Pong>(new Ping(42), TimeSpan.FromSeconds(2)));

        Assert.Equal(new Pong(42), pong);
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void Ask_NoReply_ThrowsAskTimeoutException(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var echo = kit.ActorOf(Props.Create<Echo>(), "echo");
        var timeout = TimeSpan.FromMilliseconds(100);

        // Echo does not handle strings: no reply ever comes.
        var task = echo.Ask<Pong>("unanswered", timeout);

        Assert.Throws<AskTimeoutException>(() => kit.Await(task));
        if (kit.IsVirtualTime)
        {
            Assert.Equal(timeout, kit.Sys.Now); // the timeout is a virtual event, exactly on time
        }
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void Ask_FailureReply_FaultsWithCause(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var probe = kit.CreateTestProbe();

        var task = probe.Ask<Pong>(new Ping(1), TimeSpan.FromSeconds(2));
        probe.ExpectMsg<Ping>();
        probe.Reply(new Status.Failure(new InvalidOperationException("no pong today")));

        var ex = Assert.Throws<InvalidOperationException>(() => kit.Await(task));
        Assert.Equal("no pong today", ex.Message);
    }

    [Fact]
    public void Ask_ReplyAfterTimeout_BecomesDeadLetter()
    {
        using var kit = new ActorTestKit();
        var probe = kit.CreateTestProbe();
        var task = probe.Ask<Pong>(new Ping(1), TimeSpan.FromSeconds(1));
        probe.ExpectMsg<Ping>();

        kit.Advance(TimeSpan.FromSeconds(2));
        probe.Reply(new Pong(1));
        kit.RunUntilIdle();

        Assert.IsType<AskTimeoutException>(task.Exception!.InnerException);
        Assert.Equal(1, kit.Sys.DeadLetterCount);
    }
}
