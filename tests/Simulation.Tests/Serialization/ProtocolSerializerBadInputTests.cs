using System.Runtime.Serialization;
using System.Text;
using V2V.Market.Orders;
using V2V.Market.Protocol;
using V2V.Simulation.Serialization;

namespace V2V.Simulation.Tests.Serialization;

/// <summary>What another node may send that this one must refuse: one line, naming the manifest and the problem.</summary>
public sealed class ProtocolSerializerBadInputTests() : Akka.TestKit.Xunit2.TestKit(ProtocolSerialization.Config())
{
    private static readonly SubmitOrder Order = new(12, "ev-3", Side.Buyer, 0.31, 7.5, 0.35, [0.5f]);

    private const string ValidOrder =
        """{"Step":12,"Agent":"ev-3","Side":"Buyer","PriceAudPerKwh":0.31,"EnergyKwh":7.5,"TrueValueAudPerKwh":0.35,"CriticRow":[0.5]}""";

    private ProtocolSerializer Serializer => Assert.IsType<ProtocolSerializer>(Sys.Serialization.FindSerializerFor(Order));

    [Fact]
    public void FromBinary_ValidOrderJson_ReadsTheOrder()
    {
        // The documents below are this one broken in one place each; it must read, or their failures prove nothing.
        var back = Serializer.FromBinary(Encoding.UTF8.GetBytes(ValidOrder), "SubmitOrder/1");

        WireEquality.AssertEqual(Order, back);
    }

    [Fact]
    public void FromBinary_UnknownManifest_FailsNamingItAsUnknown()
    {
        var error = Assert.Throws<SerializationException>(() => Serializer.FromBinary(Serializer.ToBinary(Order), "StepClosed/1"));

        Assert.Equal("protocol message 'StepClosed/1': unknown message type", error.Message);
    }

    [Fact]
    public void FromBinary_KnownTypeUnsupportedVersion_FailsNamingBothVersions()
    {
        var error = Assert.Throws<SerializationException>(() => Serializer.FromBinary(Serializer.ToBinary(Order), "SubmitOrder/2"));

        Assert.Equal("protocol message 'SubmitOrder/2': version 2 is not supported (this node reads SubmitOrder/1)", error.Message);
    }

    [Theory]
    [InlineData("SubmitOrder")]
    [InlineData("SubmitOrder/")]
    [InlineData("SubmitOrder/one")]
    public void FromBinary_KnownTypeWithoutAVersion_FailsNamingTheManifest(string manifest)
    {
        var error = Assert.Throws<SerializationException>(() => Serializer.FromBinary(Serializer.ToBinary(Order), manifest));

        Assert.Equal($"protocol message '{manifest}': no version after the type name (this node reads SubmitOrder/1)", error.Message);
    }

    [Fact]
    public void FromBinary_TruncatedPayload_FailsAsMalformedInOneLine()
    {
        var bytes = Serializer.ToBinary(Order);

        for (var length = 0; length < bytes.Length; length += 7)
        {
            AssertMalformed(bytes[..length], "SubmitOrder/1");
        }
    }

    [Fact]
    public void FromBinary_Garbage_FailsAsMalformedInOneLine()
    {
        var random = new Random(18);
        for (var i = 0; i < 50; i++)
        {
            var garbage = new byte[random.Next(1, 64)];
            random.NextBytes(garbage);
            AssertMalformed(garbage, "StepOpened/1");
        }
    }

    [Theory]
    [InlineData("missing field", """{"Step":12,"Side":"Buyer","PriceAudPerKwh":0.31,"EnergyKwh":7.5,"TrueValueAudPerKwh":0.35}""")]
    [InlineData("unknown field", """{"Step":12,"Agent":"ev-3","Side":"Buyer","PriceAudPerKwh":0.31,"EnergyKwh":7.5,"TrueValueAudPerKwh":0.35,"Tip":1}""")]
    [InlineData("null where not nullable", """{"Step":12,"Agent":null,"Side":"Buyer","PriceAudPerKwh":0.31,"EnergyKwh":7.5,"TrueValueAudPerKwh":0.35}""")]
    [InlineData("string for a number", """{"Step":"12","Agent":"ev-3","Side":"Buyer","PriceAudPerKwh":0.31,"EnergyKwh":7.5,"TrueValueAudPerKwh":0.35}""")]
    [InlineData("fraction for an int", """{"Step":12.5,"Agent":"ev-3","Side":"Buyer","PriceAudPerKwh":0.31,"EnergyKwh":7.5,"TrueValueAudPerKwh":0.35}""")]
    [InlineData("number for a string", """{"Step":12,"Agent":3,"Side":"Buyer","PriceAudPerKwh":0.31,"EnergyKwh":7.5,"TrueValueAudPerKwh":0.35}""")]
    [InlineData("unknown enum name", """{"Step":12,"Agent":"ev-3","Side":"Broker","PriceAudPerKwh":0.31,"EnergyKwh":7.5,"TrueValueAudPerKwh":0.35}""")]
    [InlineData("enum as a number", """{"Step":12,"Agent":"ev-3","Side":0,"PriceAudPerKwh":0.31,"EnergyKwh":7.5,"TrueValueAudPerKwh":0.35}""")]
    [InlineData("double out of range", """{"Step":12,"Agent":"ev-3","Side":"Buyer","PriceAudPerKwh":1e400,"EnergyKwh":7.5,"TrueValueAudPerKwh":0.35}""")]
    [InlineData("unknown named number", """{"Step":12,"Agent":"ev-3","Side":"Buyer","PriceAudPerKwh":"nan","EnergyKwh":7.5,"TrueValueAudPerKwh":0.35}""")]
    [InlineData("NaN bits that are not a NaN", """{"Step":12,"Agent":"ev-3","Side":"Buyer","PriceAudPerKwh":"NaN:0x3FF0000000000000","EnergyKwh":7.5,"TrueValueAudPerKwh":0.35}""")]
    [InlineData("float NaN bits that are not a NaN", """{"Step":12,"Agent":"ev-3","Side":"Buyer","PriceAudPerKwh":0.31,"EnergyKwh":7.5,"TrueValueAudPerKwh":0.35,"CriticRow":["NaN:0x3F800000"]}""")]
    [InlineData("float out of range", """{"Step":12,"Agent":"ev-3","Side":"Buyer","PriceAudPerKwh":0.31,"EnergyKwh":7.5,"TrueValueAudPerKwh":0.35,"CriticRow":[1e39]}""")]
    [InlineData("trailing content", ValidOrder + "{}")]
    [InlineData("json null", "null")]
    [InlineData("an array", "[]")]
    public void FromBinary_MalformedOrder_FailsAsMalformedInOneLine(string problem, string json)
    {
        Assert.False(string.IsNullOrEmpty(problem));

        AssertMalformed(Encoding.UTF8.GetBytes(json), "SubmitOrder/1");
    }

    [Fact]
    public void ToBinary_LoneSurrogateInAString_FailsInOneLineInsteadOfSendingReplacedText()
    {
        var order = Order with { Agent = "ev-\uD800" };

        var error = Assert.Throws<SerializationException>(() => Serializer.ToBinary(order));

        Assert.Equal(
            "protocol message 'SubmitOrder/1': cannot be written: a string holds a lone UTF-16 surrogate, which is not Unicode text",
            error.Message);
    }

    [Fact]
    public void ToBinary_NotAProtocolMessage_FailsNamingTheType()
    {
        var error = Assert.Throws<SerializationException>(() => Serializer.ToBinary(new Order("ev-1", 0.3, 2)));

        Assert.StartsWith("V2V.Market.Orders.Order is not a protocol message type", error.Message);
    }

    [Fact]
    public void ToBinary_UndefinedEnumValue_FailsNamingTheManifest()
    {
        var error = Assert.Throws<SerializationException>(() => Serializer.ToBinary(Order with { Side = (Side)7 }));

        Assert.StartsWith("protocol message 'SubmitOrder/1': cannot be written: ", error.Message);
    }

    private void AssertMalformed(byte[] payload, string manifest)
    {
        var error = Assert.Throws<SerializationException>(() => Serializer.FromBinary(payload, manifest));

        Assert.StartsWith($"protocol message '{manifest}': malformed payload: ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain('\r', error.Message);
    }
}
