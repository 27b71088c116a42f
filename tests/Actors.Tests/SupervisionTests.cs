using V2V.Actors.Supervision;
using V2V.Actors.TestKit;
using static V2V.Actors.Tests.TestActors;

namespace V2V.Actors.Tests;

public sealed class SupervisionTests
{
    private static (IActorRef Parent, IActorRef Child) Family(
        ActorTestKit kit, TestProbe parentMonitor, TestProbe childMonitor, SupervisorStrategy strategy)
    {
        var parent = kit.ActorOf(Monitored.Props(parentMonitor).WithSupervisorStrategy(strategy), "parent");
        parentMonitor.ExpectMsg(new Hook("PreStart", 1));
        parentMonitor.Send(parent, new Spawn("child", Monitored.Props(childMonitor)));
        var child = parentMonitor.ExpectMsg<Spawned>().Child;
        childMonitor.ExpectMsg(new Hook("PreStart", 1));
        return (parent, child);
    }

    private static void Pings(TestProbe probe, IActorRef target, params int[] expectedCounts)
    {
        foreach (int expected in expectedCounts)
        {
            probe.Send(target, new Ping(0));
            probe.ExpectMsg(new Pong(expected));
        }
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void OneForOne_Restart_ChildGetsFreshStateAndKeepsItsRef(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var parentMonitor = kit.CreateTestProbe();
        var childMonitor = kit.CreateTestProbe();
        var (_, child) = Family(kit, parentMonitor, childMonitor, new OneForOneStrategy(_ => Directive.Restart));
        Pings(childMonitor, child, 1, 2);

        childMonitor.Send(child, new Crash("restart me"));

        childMonitor.FishForMessage<Hook>(h => h.Name == "PreStart" && h.Instance == 2);
        Pings(childMonitor, child, 1);
        parentMonitor.ExpectNoMsg(); // the parent itself is untouched
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void OneForOne_Resume_ChildKeepsState(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var parentMonitor = kit.CreateTestProbe();
        var childMonitor = kit.CreateTestProbe();
        var (_, child) = Family(kit, parentMonitor, childMonitor, new OneForOneStrategy(_ => Directive.Resume));
        Pings(childMonitor, child, 1, 2);

        childMonitor.Send(child, new Crash("ignore me"));

        Pings(childMonitor, child, 3); // no hook ran in between: same instance, same count
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void OneForOne_Stop_ChildTerminatedAndLaterMessagesDead(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var parentMonitor = kit.CreateTestProbe();
        var childMonitor = kit.CreateTestProbe();
        var (_, child) = Family(kit, parentMonitor, childMonitor, SupervisorStrategy.StoppingStrategy);
        childMonitor.Watch(child);

        childMonitor.Send(child, new Crash("stop me"));

        childMonitor.ExpectMsg(new Hook("PostStop", 1));
        childMonitor.ExpectTerminated(child);
        var letters = kit.CreateTestProbe();
        kit.Sys.EventStream.Subscribe(letters, typeof(DeadLetter));
        childMonitor.Send(child, new Ping(0));
        Assert.Equal(new Ping(0), letters.ExpectMsg<DeadLetter>(d => ReferenceEquals(d.Recipient, child)).Message);
        childMonitor.ExpectNoMsg();
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void OneForOne_Escalate_GrandparentRestartsParentWhichStopsChild(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var parentMonitor = kit.CreateTestProbe();
        var childMonitor = kit.CreateTestProbe();

        // The parent escalates; its own supervisor is the user guardian, whose default strategy restarts.
        var (parent, child) = Family(kit, parentMonitor, childMonitor, new OneForOneStrategy(_ => Directive.Escalate));
        childMonitor.Watch(child);

        childMonitor.Send(child, new Crash("escalate me"));

        parentMonitor.ExpectMsg<Hook>(h => h is { Name: "PreRestart", Instance: 1 });
        childMonitor.ExpectMsg(new Hook("PostStop", 1)); // default PreRestart stops the children
        childMonitor.ExpectTerminated(child);
        parentMonitor.FishForMessage<Hook>(h => h is { Name: "PreStart", Instance: 2 });
        Pings(parentMonitor, parent, 1);
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void OneForOne_RestartLimitExceeded_ChildStopped(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var parentMonitor = kit.CreateTestProbe();
        var childMonitor = kit.CreateTestProbe();
        var strategy = new OneForOneStrategy(2, TimeSpan.FromMinutes(1), _ => Directive.Restart);
        var (_, child) = Family(kit, parentMonitor, childMonitor, strategy);
        childMonitor.Watch(child);

        for (int instance = 2; instance <= 3; instance++)
        {
            childMonitor.Send(child, new Crash("again"));
            childMonitor.FishForMessage<Hook>(h => h.Name == "PreStart" && h.Instance == instance);
        }

        childMonitor.Send(child, new Crash("one too many"));

        childMonitor.ExpectMsg(new Hook("PostStop", 3)); // stopped, not restarted
        childMonitor.ExpectTerminated(child);
    }

    [Fact]
    public void OneForOne_RestartWindowElapsedInVirtualTime_CountStartsAgain()
    {
        using var kit = new ActorTestKit();
        var parentMonitor = kit.CreateTestProbe();
        var childMonitor = kit.CreateTestProbe();
        var strategy = new OneForOneStrategy(2, TimeSpan.FromMinutes(1), _ => Directive.Restart);
        var (_, child) = Family(kit, parentMonitor, childMonitor, strategy);

        for (int instance = 2; instance <= 4; instance++)
        {
            if (instance == 4)
            {
                kit.Advance(TimeSpan.FromMinutes(2)); // the first window (two restarts) is over
            }

            childMonitor.Send(child, new Crash("again"));
            childMonitor.FishForMessage<Hook>(h => h.Name == "PreStart" && h.Instance == instance);
        }

        Pings(childMonitor, child, 1);
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void DefaultStrategy_FailureInPreStart_StopsActor(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var probe = kit.CreateTestProbe();
        var actor = kit.ActorOf(Props.Create(() => new FailsToStart()));
        probe.Watch(actor);

        probe.ExpectTerminated(actor);
    }

    private sealed class FailsToStart : ReceiveActor
    {
        protected override void PreStart() => throw new InvalidOperationException("cannot start");
    }
}
