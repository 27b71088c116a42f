using Akka.Actor;
using V2V.Agents.Vehicles;
using V2V.EndToEnd.Tests;
using V2V.Simulation.Cluster;
using V2V.Simulation.Serialization;

namespace V2V.Cluster.Tests;

public sealed class MessageSizeTests
{
    [Fact]
    public void Serializer_ClusterMessages_StayWithinTheirBudgets()
    {
        using var system = ActorSystem.Create("v2v", ProtocolSerialization.Config());
        var (market, simulation) = Sim.Config(Sim.AllFaults(seed: 1, agents: 100));
        var start = new StartEv("20261207125900-seed1-0123456789abcdef0123", new Vehicle("ev-000123", 17, 29, 0.3456789, 0.7654321, 0.123456789), true, system.DeadLetters);

        // One StartEv per arriving EV, one RunSpec per member and run: both far below remoting's 128 kB frame.
        Assert.InRange(Bytes(system, start), 100, 512);
        var spec = Bytes(system, new RunSpec(start.Run, market, simulation));
        Assert.True(spec is > 500 and < 4096, $"RunSpec: {spec} bytes");
    }

    private static int Bytes(ActorSystem system, object message) => system.Serialization.FindSerializerFor(message).ToBinary(message).Length;
}
