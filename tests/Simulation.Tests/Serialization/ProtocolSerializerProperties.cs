using System.Text;
using FsCheck;
using FsCheck.Fluent;
using V2V.Market.Orders;
using V2V.Market.Protocol;
using V2V.Simulation.Serialization;

namespace V2V.Simulation.Tests.Serialization;

/// <summary>Any double, float and Unicode text in the market messages comes back from the wire bit for bit.</summary>
public sealed class ProtocolSerializerProperties() : Akka.TestKit.Xunit2.TestKit(ProtocolSerialization.Config())
{
    private static readonly FsCheck.Config Runs = FsCheck.Config.QuickThrowOnFailure.WithMaxTest(1000);

    /// <summary>The values a double can take that are easy to get wrong, each written down by its bits.</summary>
    private static readonly double[] SpecialDoubles =
    [
        0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.Epsilon,
        double.MaxValue, double.MinValue, BitConverter.Int64BitsToDouble(0x000FFFFFFFFFFFFF), // largest subnormal
        BitConverter.Int64BitsToDouble(0x0010000000000000), // smallest normal
        BitConverter.Int64BitsToDouble(0x7FF8000000000000), // NaN with the sign bit clear
        BitConverter.Int64BitsToDouble(0x7FF0000000000001), // signalling NaN
        BitConverter.Int64BitsToDouble(unchecked((long)0xFFFFFFFFFFFFFFFF)), // NaN, every payload bit set
        0.1, 1.0 / 3.0, 1e-310, 2.2250738585072014e-308, 9007199254740993.0,
    ];

    private static readonly float[] SpecialFloats =
    [
        0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, float.MaxValue, float.MinValue,
        BitConverter.Int32BitsToSingle(0x007FFFFF), BitConverter.Int32BitsToSingle(0x7FC00000),
        BitConverter.Int32BitsToSingle(0x7F800001), 0.1f, 1f / 3f, 16777217f,
    ];

    /// <summary>Doubles: the special ones, FsCheck's own, and uniformly random bit patterns (every class of value).</summary>
    private static readonly Gen<double> Doubles = Gen.Frequency(
        (2, Gen.Elements(SpecialDoubles)),
        (2, ArbMap.Default.GeneratorFor<double>()),
        (3, Bits().Select(BitConverter.Int64BitsToDouble)));

    private static readonly Gen<float> Floats = Gen.Frequency(
        (2, Gen.Elements(SpecialFloats)),
        (2, ArbMap.Default.GeneratorFor<float>()),
        (3, Gen.Choose(int.MinValue, int.MaxValue).Select(BitConverter.Int32BitsToSingle)));

    /// <summary>
    /// Unicode text, empty included: ASCII (quotes, backslashes and control characters among it), the rest of the
    /// basic plane outside the surrogates, and the supplementary planes (written as surrogate pairs).
    /// </summary>
    private static readonly Gen<string> Texts = Gen.Frequency(
            (3, Gen.Choose(0, 0x7F)),
            (2, Gen.Choose(0x80, 0xD7FF)),
            (1, Gen.Choose(0xE000, 0xFFFF)),
            (1, Gen.Choose(0x10000, 0x10FFFF)))
        .ArrayOf()
        .Select(codePoints => string.Concat(codePoints.Select(c => new Rune(c).ToString())));

    [Fact]
    public void RoundTrip_StepOpenedWithAnyDoubles_KeepsEveryBit()
    {
        var messages = Doubles.Four().Zip(Gen.Choose(int.MinValue, int.MaxValue), (d, step) => new StepOpened(step, "ev-1", d.Item1, d.Item2, d.Item3, d.Item4));

        Check.One(Runs, Prop.ForAll(messages.ToArbitrary(), AssertRoundTrips));
    }

    [Fact]
    public void RoundTrip_SubmitOrderWithAnyNumbersAndText_KeepsEveryBit()
    {
        var messages =
            from step in Gen.Choose(int.MinValue, int.MaxValue)
            from agent in Texts
            from side in Gen.Elements(Side.Buyer, Side.Seller)
            from prices in Doubles.Three()
            from row in Floats.ArrayOf().OrNull()
            select new SubmitOrder(step, agent, side, prices.Item1, prices.Item2, prices.Item3, row);

        Check.One(Runs, Prop.ForAll(messages.ToArbitrary(), AssertRoundTrips));
    }

    [Fact]
    public void RoundTrip_SettlementMessagesWithAnyNumbersAndText_KeepEveryBit()
    {
        var messages = Gen.OneOf(
            from ids in Texts.Two()
            from trade in Bits()
            from amounts in Doubles.Two()
            select (IProtocolMessage)new FillProposed(new Fill(3, trade, ids.Item1, ids.Item2, amounts.Item1, amounts.Item2), ids.Item1, amounts.Item2),
            from ids in Texts.Two()
            from trade in Bits()
            from times in Doubles.Two()
            select (IProtocolMessage)new CommitAnswer(3, trade, ids.Item2, 2, times.Item1, times.Item2 > 0),
            from reason in Texts
            from trade in Bits()
            select (IProtocolMessage)new FillVoided(3, trade, "ev-2", reason),
            from agent in Texts
            from state in Doubles.Two()
            from applied in Bits().ArrayOf()
            select (IProtocolMessage)new StateRecovered(agent, state.Item1, state.Item2, applied),
            from agent in Texts
            from reason in Texts
            select (IProtocolMessage)new AgentLost(1, agent, reason));

        Check.One(Runs, Prop.ForAll(messages.ToArbitrary(), AssertRoundTrips));
    }

    [Fact]
    public void Texts_Generator_CoversEmptySupplementaryAndEscapedCharacters()
    {
        // The property above is only as good as its text: make sure the generator reaches the hard cases.
        var sample = Texts.Sample(1000, 50);

        Assert.Contains(sample, s => s.Length == 0);
        Assert.Contains(sample, s => s.Any(char.IsSurrogate));
        Assert.Contains(sample, s => s.Any(c => c is '"' or '\\' || char.IsControl(c)));
    }

    private void AssertRoundTrips(IProtocolMessage message)
    {
        var serializer = Assert.IsType<ProtocolSerializer>(Sys.Serialization.FindSerializerFor(message));

        var back = serializer.FromBinary(serializer.ToBinary(message), serializer.Manifest(message));

        WireEquality.AssertEqual(message, back);
    }

    private static Gen<long> Bits() =>
        Gen.Choose(int.MinValue, int.MaxValue).Two().Select(halves => ((long)halves.Item1 << 32) | (uint)halves.Item2);
}
