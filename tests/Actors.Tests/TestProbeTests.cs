using V2V.Actors.TestKit;
using Xunit.Sdk;
using static V2V.Actors.Tests.TestActors;

namespace V2V.Actors.Tests;

/// <summary>The probe's own contract: failures fail the test, virtual waits cost no real time.</summary>
public sealed class TestProbeTests
{
    [Fact]
    public void ExpectMsg_NothingArrives_FailsAtVirtualDeadline()
    {
        using var kit = new ActorTestKit();
        var probe = kit.CreateTestProbe();

        Assert.ThrowsAny<XunitException>(() => probe.ExpectMsg<Pong>(timeout: TimeSpan.FromHours(1)));
        Assert.Equal(TimeSpan.FromHours(1), kit.Sys.Now);
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void ExpectMsg_WrongTypeOrPredicate_Fails(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var probe = kit.CreateTestProbe();
        probe.Tell(new Ping(1), null);
        probe.Tell(new Ping(2), null);

        Assert.ThrowsAny<XunitException>(() => probe.ExpectMsg<Pong>());
        Assert.ThrowsAny<XunitException>(() => probe.ExpectMsg<Ping>(p => p.N == 99));
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void ExpectNoMsg_MessageArrives_Fails(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var probe = kit.CreateTestProbe();
        probe.Tell(new Ping(1), null);

        Assert.ThrowsAny<XunitException>(() => probe.ExpectNoMsg());
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void FishForMessage_SkipsUntilMatch(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var probe = kit.CreateTestProbe();
        for (int i = 0; i < 5; i++)
        {
            probe.Tell(new Ping(i), null);
        }

        Assert.Equal(new Ping(3), probe.FishForMessage<Ping>(p => p.N == 3));
        probe.ExpectMsg(new Ping(4));
        Assert.ThrowsAny<XunitException>(() => probe.FishForMessage(_ => true, TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public void Advance_RunsOnlyEventsDueWithinDelta()
    {
        using var kit = new ActorTestKit();
        var probe = kit.CreateTestProbe();
        var echo = kit.ActorOf(Props.Create<Echo>());
        kit.Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromSeconds(10), echo, new Ping(10), probe);
        kit.Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromSeconds(20), echo, new Ping(20), probe);

        probe.Advance(TimeSpan.FromSeconds(15));

        Assert.Equal(TimeSpan.FromSeconds(15), kit.Sys.Now);
        Assert.Equal(TimeSpan.FromSeconds(20), kit.Kernel.NextEventTime);
        probe.ExpectMsg(new Pong(10), TimeSpan.Zero); // already delivered: no further time needed
    }

    [Fact]
    public void Advance_OnWallClock_Throws()
    {
        using var kit = new ActorTestKit(DispatcherKind.WallClock);

        Assert.Throws<InvalidOperationException>(() => kit.Advance(TimeSpan.FromSeconds(1)));
    }
}
