using V2V.Actors.Supervision;
using V2V.Actors.TestKit;
using static V2V.Actors.Tests.TestActors;

namespace V2V.Actors.Tests;

/// <summary>The user guardian's strategy for top-level actors (ActorSystemOptions.GuardianStrategy).</summary>
public sealed class GuardianStrategyTests
{
    [Fact]
    public void GuardianStrategy_Default_RestartsAFailedTopLevelActor()
    {
        using var kit = new ActorTestKit();
        var monitor = kit.CreateTestProbe();
        var actor = kit.ActorOf(Monitored.Props(monitor), "top");
        monitor.ExpectMsg(new Hook("PreStart", 1));

        monitor.Send(actor, new Crash("restart me"));

        monitor.FishForMessage<Hook>(h => h.Name == "PreStart" && h.Instance == 2);
    }

    [Fact]
    public void GuardianStrategy_StopWithAChildAwareDecider_StopsTheActorAndSeesWhichOneFailed()
    {
        var decided = new List<(string? Child, string Cause)>();
        var strategy = new OneForOneStrategy(0, null, (child, cause) =>
        {
            decided.Add((child?.Path.Name, cause.Message));
            return Directive.Stop;
        });
        using var kit = new ActorTestKit(options: new ActorSystemOptions { GuardianStrategy = strategy });
        var monitor = kit.CreateTestProbe();
        var actor = kit.ActorOf(Monitored.Props(monitor), "top");
        monitor.ExpectMsg(new Hook("PreStart", 1));
        monitor.Watch(actor);

        monitor.Send(actor, new Crash("stop me"));

        monitor.ExpectMsg(new Hook("PostStop", 1));
        monitor.ExpectTerminated(actor);
        monitor.ExpectNoMsg(); // no second instance
        Assert.Equal([("top", "stop me")], decided);
    }
}
