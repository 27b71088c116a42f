using V2V.Actors.TestKit;
using static V2V.Actors.Tests.TestActors;

namespace V2V.Actors.Tests;

public sealed class ActorPathTests
{
    [Fact]
    public void ActorOf_TopLevelAndChild_PathsNestUnderUser()
    {
        using var kit = new ActorTestKit(systemName: "sim");
        var probe = kit.CreateTestProbe();
        var parent = kit.ActorOf(Monitored.Props(probe), "facility");

        probe.Send(parent, new Spawn("ev-12", Props.Create<Echo>()));
        var child = probe.FishForMessage<Spawned>(_ => true).Child;

        Assert.Equal("v2v://sim/user/facility", parent.Path.ToString());
        Assert.Equal("v2v://sim/user/facility/ev-12", child.Path.ToString());
        Assert.Equal(parent.Path, child.Path.Parent);
        Assert.Equal("ev-12", child.Path.Name);
        Assert.StartsWith("v2v://sim/system/", probe.Path.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ActorOf_DuplicateName_Throws()
    {
        using var kit = new ActorTestKit();
        kit.ActorOf(Props.Create<Echo>(), "twin");

        Assert.Throws<InvalidActorNameException>(() => kit.ActorOf(Props.Create<Echo>(), "twin"));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a:b")]
    public void ActorOf_NameWithSeparator_Throws(string name)
    {
        using var kit = new ActorTestKit();

        Assert.Throws<InvalidActorNameException>(() => kit.ActorOf(Props.Create<Echo>(), name));
    }

    [Fact]
    public void StableId_SameText_SameValueAcrossSystems()
    {
        var a = ActorPath.Root("sim").Child("user").Child("ev-1");
        var b = ActorPath.Root("sim").Child("user").Child("ev-1");
        var c = ActorPath.Root("sim").Child("user").Child("ev-2");

        Assert.Equal(a, b);
        Assert.Equal(a.StableId, b.StableId);
        Assert.NotEqual(a.StableId, c.StableId);

        // FNV-1a 64 of "v2v://sim/user/ev-1", computed independently of ActorPath.
        ulong hash = 14695981039346656037UL;
        foreach (char ch in "v2v://sim/user/ev-1")
        {
            hash = (hash ^ ch) * 1099511628211UL;
        }

        Assert.Equal(hash, a.StableId);
    }
}
