using V2V.Actors.TestKit;

namespace V2V.Actors.Tests;

public sealed class SchedulerTests
{
    private sealed record Tick(int N);

    [Fact]
    public void ScheduleTellOnce_VirtualTime_ArrivesExactlyAtDelay()
    {
        using var kit = new ActorTestKit();
        var probe = kit.CreateTestProbe();
        var delay = TimeSpan.FromMinutes(30);

        kit.Sys.Scheduler.ScheduleTellOnce(delay, probe, new Tick(1), null);

        probe.ExpectNoMsg(delay - TimeSpan.FromTicks(1));
        probe.ExpectMsg(new Tick(1));
        Assert.Equal(delay, kit.Sys.Now);
    }

    [Fact]
    public void ScheduleTellRepeatedly_VirtualTime_FiresAtInitialPlusMultiplesUntilCancelled()
    {
        using var kit = new ActorTestKit();
        var probe = kit.CreateTestProbe();
        var times = new List<TimeSpan>();

        var timer = kit.Sys.Scheduler.ScheduleTellRepeatedly(
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), probe, new Tick(0), null);
        for (int i = 0; i < 3; i++)
        {
            probe.ExpectMsg<Tick>();
            times.Add(kit.Sys.Now);
        }

        timer.Cancel();

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5)], times);
        probe.ExpectNoMsg(TimeSpan.FromMinutes(10));
        Assert.Equal(0, kit.Kernel.PendingEvents);
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void ScheduleTellOnce_Cancelled_NeverArrives(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var probe = kit.CreateTestProbe();

        var timer = kit.Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(50), probe, new Tick(1), null);
        timer.Cancel();

        Assert.True(timer.IsCancellationRequested);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void ScheduleTell_OnceAndRepeating_Arrive(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var probe = kit.CreateTestProbe();

        kit.Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(10), probe, new Tick(-1), null);
        probe.ExpectMsg(new Tick(-1));
        var timer = kit.Sys.Scheduler.ScheduleTellRepeatedly(
            TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10), probe, new Tick(7), null);
        probe.ReceiveN<Tick>(3);
        timer.Cancel();

        Assert.True(timer.IsCancellationRequested);
    }

    [Fact]
    public void Context_Now_IsVirtualTimeOfDelivery()
    {
        using var kit = new ActorTestKit();
        var probe = kit.CreateTestProbe();
        var clock = kit.ActorOf(Props.Create(() => new ClockReader()));

        kit.Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromHours(2), clock, "now?", probe);

        Assert.Equal(TimeSpan.FromHours(2), probe.ExpectMsg<TimeSpan>(timeout: TimeSpan.FromHours(3)));
    }

    private sealed class ClockReader : ReceiveActor
    {
        public ClockReader() => Receive<string>(_ => Sender.Tell(Context.Now, Self));
    }
}
