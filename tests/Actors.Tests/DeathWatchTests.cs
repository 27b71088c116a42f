using V2V.Actors.TestKit;
using static V2V.Actors.Tests.TestActors;

namespace V2V.Actors.Tests;

public sealed class DeathWatchTests
{
    private sealed record Observed(IActorRef Who);

    /// <summary>Watches its target from PreStart and reports the Terminated it receives.</summary>
    private sealed class Watcher : ReceiveActor
    {
        private readonly IActorRef _target;

        public Watcher(IActorRef target, IActorRef monitor)
        {
            _target = target;
            Receive<Terminated>(t => monitor.Tell(new Observed(t.ActorRef), Self));
        }

        protected override void PreStart() => Context.Watch(_target);
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void Watch_FromActor_ReceivesTerminatedOnStop(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var probe = kit.CreateTestProbe();
        var target = kit.ActorOf(Props.Create<Echo>(), "target");
        kit.ActorOf(Props.Create(() => new Watcher(target, probe)), "watcher");
        probe.Send(target, new Ping(1));
        probe.ExpectMsg(new Pong(1)); // target is running; the watcher's PreStart ran before (system lane)

        probe.Send(target, PoisonPill.Instance);

        Assert.Same(target, probe.ExpectMsg<Observed>().Who);
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void Watch_CrashStoppedByStrategy_ProbeGetsTerminated(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var probe = kit.CreateTestProbe();
        var parent = kit.ActorOf(
            Monitored.Props(probe).WithSupervisorStrategy(Supervision.SupervisorStrategy.StoppingStrategy), "parent");
        probe.Send(parent, new Spawn("victim", Props.Create<Echo>()));
        var victim = probe.FishForMessage<Spawned>(_ => true).Child;
        probe.Watch(victim);

        // Echo cannot handle Crash, so make it throw through a message it does handle: a TellTo a null target.
        probe.Send(victim, new TellTo(null!, "x"));

        probe.ExpectTerminated(victim);
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void Watch_AlreadyStoppedActor_TerminatedArrivesAnyway(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var probe = kit.CreateTestProbe();
        var first = kit.CreateTestProbe();
        var target = kit.ActorOf(Props.Create<Echo>());
        first.Watch(target);
        kit.Sys.Stop(target);
        first.ExpectTerminated(target);

        probe.Watch(target);

        probe.ExpectTerminated(target);
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void Unwatch_BeforeStop_NoTerminated(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var probe = kit.CreateTestProbe();
        var target = kit.ActorOf(Props.Create<Echo>());
        probe.Watch(target);
        probe.Unwatch(target);
        probe.Send(target, new Ping(1));
        probe.ExpectMsg(new Pong(1)); // watch and unwatch have been processed (system lane first)

        kit.Sys.Stop(target);

        probe.ExpectNoMsg();
    }
}
