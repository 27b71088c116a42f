using V2V.Actors.TestKit;
using static V2V.Actors.Tests.TestActors;

namespace V2V.Actors.Tests;

public sealed class LifecycleTests
{
    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void PreStart_RunsBeforeFirstMessage(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var probe = kit.CreateTestProbe();
        var actor = kit.ActorOf(Monitored.Props(probe));

        probe.Send(actor, new Ping(0));

        probe.ExpectMsg(new Hook("PreStart", 1));
        probe.ExpectMsg(new Pong(1));
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void Stop_RunsPostStopThenNotifiesWatcher(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var monitor = kit.CreateTestProbe();
        var watcher = kit.CreateTestProbe();
        var actor = kit.ActorOf(Monitored.Props(monitor));
        monitor.ExpectMsg(new Hook("PreStart", 1));
        watcher.Watch(actor);

        kit.Sys.Stop(actor);

        monitor.ExpectMsg(new Hook("PostStop", 1));
        watcher.ExpectTerminated(actor);
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void Crash_UnderDefaultStrategy_RestartsWithFreshState(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var probe = kit.CreateTestProbe();
        var actor = kit.ActorOf(Monitored.Props(probe), "worker");
        probe.ExpectMsg(new Hook("PreStart", 1));
        probe.Send(actor, new Ping(0));
        probe.Send(actor, new Ping(0));
        probe.ExpectMsg(new Pong(1));
        probe.ExpectMsg(new Pong(2));

        var crash = new Crash("boom");
        probe.Send(actor, crash);

        // Akka's order: PreRestart on the old instance (default calls PostStop), then the new one's PostRestart/PreStart.
        probe.ExpectMsg(new Hook("PreRestart", 1, crash));
        probe.ExpectMsg(new Hook("PostStop", 1));
        probe.ExpectMsg(new Hook("PostRestart", 2, "boom"));
        probe.ExpectMsg(new Hook("PreStart", 2));

        probe.Send(actor, new Ping(0));
        probe.ExpectMsg(new Pong(1)); // state rebuilt, same ref
        Assert.Same(actor, probe.LastSender);
    }
}
