using Akka.Actor;
using Akka.Configuration;
using V2V.Market.Configuration;
using V2V.Simulation.Cluster;
using V2V.Simulation.Serialization;
using V2V.Simulation.Tests.Serialization;

namespace V2V.Simulation.Tests.Cluster;

/// <summary>
/// A member's keeper of run specs with a learned run of several facilities: one policy of the run serves the EVs of
/// every facility on the member, so a version is applied there once.
/// </summary>
public sealed class RunSpecHolderTests() : Akka.TestKit.Xunit2.TestKit(Configuration)
{
    // A cluster member that joins nothing (its seed is itself, never contacted before a join): the keeper only reads its address.
    private static readonly Config Configuration = new ClusterOptions("127.0.0.1", 0, "127.0.0.1:1", [], TimeSpan.FromSeconds(5), Shards: 20)
        .ToAkkaConfig()
        .WithFallback(ProtocolSerialization.CheckingEveryMessage());

    [Fact]
    public void HostPolicy_ThreeFacilitySpecs_OnePolicyForAllAndAnUnknownSpecChangesNothing()
    {
        var keeper = Sys.ActorOf(RunSpecHolder.Props(20), RunSpecHolder.Name);
        var (market, simulation) = Config();
        string[] specs = ["run/f000", "run/f001", "run/f002"];
        foreach (var spec in specs)
        {
            keeper.Tell(new RunSpec(spec, market, simulation), TestActor);
            ExpectMsg<RunSpecStored>(s => s.Run == spec);
        }

        keeper.Tell(new HostPolicy("run", [12, 4, 2], specs), TestActor);
        var hosted = ExpectMsg<PolicyHosted>();
        var registry = RunRegistry.For(Sys);
        var policy = registry.Find("run/f000")!.Learned;
        keeper.Tell(new HostPolicy("other", [12, 4, 2], ["run/f001", "other/f000"]), TestActor);
        var refused = ExpectMsg<Status.Failure>();

        Assert.Equal("run", hosted.Run);
        Assert.NotNull(policy);
        Assert.All(specs, s => Assert.Same(policy, registry.Find(s)!.Learned));
        Assert.EndsWith("was never told of run other/f000", refused.Cause.Message);
    }

    private static (MarketConfig Market, SimulationConfig Simulation) Config() =>
        (ProtocolSamples.SampleMarket with { Policy = new PolicyConfig("learned", 0.2) }, ProtocolSamples.SampleSimulation);
}
