using System.Reflection;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using V2V.Market.Orders;
using V2V.Market.Protocol;
using V2V.Simulation.Serialization;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Simulation.Tests.Serialization;

public sealed class ProtocolSerializerTests() : Akka.TestKit.Xunit2.TestKit(ProtocolSerialization.Config())
{
    /// <summary>The assemblies whose protocol messages must cross nodes (DESIGN's projects), by name.</summary>
    private static readonly string[] V2VAssemblies =
        ["V2V.Market", "V2V.Clearing", "V2V.Agents", "V2V.Coordinator", "V2V.Learning", "V2V.Simulation"];

    public static TheoryData<int, string> CrossingSamples()
    {
        var data = new TheoryData<int, string>();
        for (var i = 0; i < ProtocolSamples.Crossing.Count; i++)
        {
            data.Add(i, ProtocolSamples.Crossing[i].GetType().Name);
        }

        return data;
    }

    [Fact]
    public void Samples_EveryProtocolMessageTypeOfTheV2VAssemblies_HasOne()
    {
        var sampled = ProtocolSamples.Crossing.Select(s => s.GetType())
            .Concat(ProtocolSamples.WithReference(ActorRefs.Nobody).Select(s => s.GetType()))
            .ToHashSet();

        var missing = ProtocolTypesByReflection().Where(t => !sampled.Contains(t)).Select(t => t.FullName).ToList();

        Assert.True(missing.Count == 0, $"add a sample to ProtocolSamples for: {string.Join(", ", missing)}");
        Assert.Contains(typeof(StepOpened), sampled);
        Assert.Contains(typeof(PolicyPublished), sampled);
    }

    [Fact]
    public void ProtocolSerializer_StartedByAkka_KnowsExactlyTheProtocolTypesOfTheV2VAssemblies()
    {
        var known = Ours(new StepFlush(1)).Types.Select(t => t.Type).ToHashSet();

        Assert.Equal(ProtocolTypesByReflection().ToHashSet(), known);
    }

    [Fact]
    public void Assemblies_FromTheSimulationAssembly_ReachEveryV2VAssemblyThatMayHoldMessages()
    {
        var names = ProtocolTypes.Assemblies().Select(a => a.GetName().Name!).ToList();

        Assert.Empty(V2VAssemblies.Except(names));
        Assert.All(names, name => Assert.StartsWith("V2V.", name));
    }

    [Fact]
    public void FindSerializerFor_EveryProtocolType_IsOursWithTheConfiguredIdentifier()
    {
        var configured = Sys.Settings.Config.GetInt(
            "akka.actor.serialization-identifiers.\"V2V.Simulation.Serialization.ProtocolSerializer, V2V.Simulation\"");

        foreach (var sample in ProtocolSamples.Crossing.Concat(ProtocolSamples.WithReference(TestActor)))
        {
            var serializer = Sys.Serialization.FindSerializerFor(sample);
            Assert.IsType<ProtocolSerializer>(serializer);
            Assert.Equal(ProtocolSerializer.SerializerId, serializer.Identifier);
        }

        Assert.Equal(ProtocolSerializer.SerializerId, configured);
        Assert.True(ProtocolSerializer.SerializerId > 100);
    }

    [Theory]
    [MemberData(nameof(CrossingSamples))]
    public void RoundTrip_Sample_ReturnsAnEqualMessage(int index, string type)
    {
        var sample = ProtocolSamples.Crossing[index];
        var serializer = Ours(sample);

        var bytes = serializer.ToBinary(sample);
        var back = serializer.FromBinary(bytes, serializer.Manifest(sample));

        Assert.Equal(type, back.GetType().Name);
        WireEquality.AssertEqual(sample, back);
    }

    [Fact]
    public void RoundTrip_ThroughAkkaSerialization_UsesTheManifestAndReturnsAnEqualMessage()
    {
        var sample = new SubmitOrder(7, "ev-é", Side.Seller, -0.0, double.NaN, double.NegativeInfinity, [float.NaN, -0f]);
        var serializer = Sys.Serialization.FindSerializerFor(sample);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, sample);

        var back = Sys.Serialization.Deserialize(serializer.ToBinary(sample), serializer.Identifier, manifest);

        Assert.Equal("SubmitOrder/1", manifest);
        WireEquality.AssertEqual(sample, back);
    }

    [Fact]
    public void Manifest_TopLevelAndNestedTypes_AreShortNameSlashVersion()
    {
        var serializer = Ours(Flush.Instance);

        Assert.Equal("StepOpened/1", serializer.Manifest(new StepOpened(1, "ev-1", 0, 0, 0, 0)));
        Assert.Equal("Flush/1", serializer.Manifest(Flush.Instance));
        Assert.Equal("TransitionBatch/1", serializer.Manifest(new TransitionBatch("l", 1, [])));
    }

    [Fact]
    public void ToBinary_StepOpened_WritesItsFieldsAsJsonKeepingNegativeZero()
    {
        var json = Encoding.UTF8.GetString(Ours(Flush.Instance).ToBinary(new StepOpened(12, "ev-1", 1_800_060.5, 1_800_000.0, 0.2871, -0.0)));

        Assert.Equal(
            """{"Step":12,"Agent":"ev-1","ArrivedMs":1800060.5,"DeadlineMs":1800000,"LastPriceAudPerKwh":0.2871,"RecentPriceAudPerKwh":-0,"Copy":0}""",
            json);
    }

    [Fact]
    public void ToBinary_NonFiniteNumbersAndEnum_WritesNamesAndNaNPayloadBits()
    {
        var quietNaNWithPayload = BitConverter.Int64BitsToDouble(0x7FF8000000000001);
        var order = new SubmitOrder(1, "ev-Ω", Side.Seller, double.NaN, double.NegativeInfinity, quietNaNWithPayload, [float.PositiveInfinity]);

        var json = Encoding.UTF8.GetString(Ours(order).ToBinary(order));

        Assert.Equal(
            """
            {"Step":1,"Agent":"ev-Ω","Side":"Seller","PriceAudPerKwh":"NaN","EnergyKwh":"-Infinity","TrueValueAudPerKwh":"NaN:0x7FF8000000000001","CriticRow":["Infinity"]}
            """,
            json);
    }

    [Fact]
    public void RoundTrip_MessagesCarryingAnActorRef_ResolveToTheSameActor()
    {
        foreach (var sample in ProtocolSamples.WithReference(TestActor))
        {
            var manifest = Ours(sample).Manifest(sample);

            var back = Ours(sample).FromBinary(Ours(sample).ToBinary(sample), manifest);

            WireEquality.AssertEqual(sample, back);
        }
    }

    [Fact]
    public void RoundTrip_AkkaActorRefField_ResolvesToTheSameActor()
    {
        var serializer = new ProtocolSerializer((ExtendedActorSystem)Sys, [typeof(Ping)]);
        var ping = new Ping(TestActor, null);

        var bytes = serializer.ToBinary(ping);
        var back = (Ping)serializer.FromBinary(bytes, "Ping/1");

        Assert.Equal(TestActor, back.ReplyTo);
        Assert.Null(back.Optional);
        Assert.Contains(TestActor.Path.ToStringWithoutAddress(), Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Constructor_TwoTypesWithOneShortName_FailsNamingBoth()
    {
        var error = Assert.Throws<InvalidOperationException>(
            () => new ProtocolSerializer((ExtendedActorSystem)Sys, [typeof(First.Twin), typeof(Second.Twin)]));

        Assert.Contains(typeof(First.Twin).FullName!, error.Message);
        Assert.Contains(typeof(Second.Twin).FullName!, error.Message);
        Assert.Contains("'Twin'", error.Message);
    }

    [Fact]
    public void Manifest_TypeWithProtocolVersion_CarriesThatVersionAndRefusesAnother()
    {
        var serializer = new ProtocolSerializer((ExtendedActorSystem)Sys, [typeof(Versioned)]);
        var bytes = serializer.ToBinary(new Versioned(5));

        var back = serializer.FromBinary(bytes, "Versioned/2");
        var error = Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "Versioned/1"));

        Assert.Equal("Versioned/2", serializer.Manifest(new Versioned(5)));
        Assert.Equal(new Versioned(5), back);
        Assert.Equal("protocol message 'Versioned/1': version 1 is not supported (this node reads Versioned/2)", error.Message);
    }

    [Fact]
    public void Constructor_ProtocolVersionBelowOne_FailsNamingTheType()
    {
        var error = Assert.Throws<InvalidOperationException>(
            () => new ProtocolSerializer((ExtendedActorSystem)Sys, [typeof(VersionZero)]));

        Assert.Contains(typeof(VersionZero).FullName!, error.Message);
        Assert.Contains("[ProtocolVersion(0)]", error.Message);
    }

    private ProtocolSerializer Ours(object message) => Assert.IsType<ProtocolSerializer>(Sys.Serialization.FindSerializerFor(message));

    /// <summary>The concrete IProtocolMessage types of the V2V assemblies, found here independently of the serializer.</summary>
    private static IEnumerable<Type> ProtocolTypesByReflection() =>
        V2VAssemblies.Select(Assembly.Load)
            .SelectMany(a => a.GetTypes())
            .Where(t => typeof(IProtocolMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false });

    // Test-only message types: the serializer is built for them alone (they are outside the V2V assemblies it scans).
    internal sealed record Ping(IActorRef ReplyTo, IActorRef? Optional) : IProtocolMessage;

    [ProtocolVersion(2)]
    internal sealed record Versioned(int Value) : IProtocolMessage;

    [ProtocolVersion(0)]
    internal sealed record VersionZero(int Value) : IProtocolMessage;

    internal static class First
    {
        internal sealed record Twin(int Value) : IProtocolMessage;
    }

    internal static class Second
    {
        internal sealed record Twin(string Value) : IProtocolMessage;
    }
}
