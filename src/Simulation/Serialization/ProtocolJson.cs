using System.Globalization;
using System.Numerics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Akka.Actor;

namespace V2V.Simulation.Serialization;

/// <summary>
/// The System.Text.Json settings of the wire format, built once per actor system. Strict on reading (an unknown or
/// missing field, a null where the record says non-null, an enum name this node lacks: all refused), exact on numbers.
/// </summary>
internal static class ProtocolJson
{
    public static JsonSerializerOptions Options(ExtendedActorSystem system) => new()
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        // Non-ASCII text goes out as UTF-8, not \u escapes: the payload is never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters =
        {
            new ExactDoubleConverter(),
            new ExactSingleConverter(),
            new TextConverter(),
            new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false),
            new ActorRefConverter(system),
        },
    };

    /// <summary>
    /// A double or float exactly: finite values as JSON numbers in their shortest round-trip form (which keeps -0), the
    /// infinities and the ordinary NaN as named literals, and any other NaN with its bit pattern
    /// (<c>"NaN:0x7FF8000000000001"</c>), so every one of the 2^64 (2^32) values comes back with the same bits.
    /// </summary>
    private abstract class ExactFloatingPointConverter<T> : JsonConverter<T>
        where T : struct, IBinaryFloatingPointIeee754<T>
    {
        private const string NaNBitsPrefix = "NaN:0x";

        /// <summary>Hexadecimal digits of the bit pattern: two per byte.</summary>
        protected abstract int Digits { get; }

        protected abstract bool TryGetNumber(ref Utf8JsonReader reader, out T value);

        protected abstract void WriteNumber(Utf8JsonWriter writer, T value);

        protected abstract ulong ToBits(T value);

        protected abstract T FromBits(ulong bits);

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Number)
            {
                return TryGetNumber(ref reader, out var value) && T.IsFinite(value)
                    ? value
                    : throw new JsonException($"a number out of the range of a {typeof(T).Name}");
            }

            var text = reader.TokenType == JsonTokenType.String
                ? reader.GetString()!
                : throw new JsonException($"a {reader.TokenType} where a number belongs");
            return text switch
            {
                "NaN" => T.NaN,
                "Infinity" => T.PositiveInfinity,
                "-Infinity" => T.NegativeInfinity,
                _ when TryParseNaNBits(text, out var bits) && T.IsNaN(FromBits(bits)) => FromBits(bits),
                _ => throw new JsonException($"'{text}' is not a number"),
            };
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            if (T.IsFinite(value))
            {
                WriteNumber(writer, value);
            }
            else if (!T.IsNaN(value))
            {
                writer.WriteStringValue(T.IsPositive(value) ? "Infinity" : "-Infinity");
            }
            else
            {
                var bits = ToBits(value);
                writer.WriteStringValue(bits == ToBits(T.NaN)
                    ? "NaN"
                    : NaNBitsPrefix + bits.ToString("X" + Digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
            }
        }

        private bool TryParseNaNBits(string text, out ulong bits)
        {
            bits = 0;
            return text.Length == NaNBitsPrefix.Length + Digits
                && text.StartsWith(NaNBitsPrefix, StringComparison.Ordinal)
                && ulong.TryParse(text.AsSpan(NaNBitsPrefix.Length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bits);
        }
    }

    private sealed class ExactDoubleConverter : ExactFloatingPointConverter<double>
    {
        protected override int Digits => 16;

        protected override bool TryGetNumber(ref Utf8JsonReader reader, out double value) => reader.TryGetDouble(out value);

        protected override void WriteNumber(Utf8JsonWriter writer, double value) => writer.WriteNumberValue(value);

        protected override ulong ToBits(double value) => BitConverter.DoubleToUInt64Bits(value);

        protected override double FromBits(ulong bits) => BitConverter.UInt64BitsToDouble(bits);
    }

    private sealed class ExactSingleConverter : ExactFloatingPointConverter<float>
    {
        protected override int Digits => 8;

        protected override bool TryGetNumber(ref Utf8JsonReader reader, out float value) => reader.TryGetSingle(out value);

        protected override void WriteNumber(Utf8JsonWriter writer, float value) => writer.WriteNumberValue(value);

        protected override ulong ToBits(float value) => BitConverter.SingleToUInt32Bits(value);

        protected override float FromBits(ulong bits) => BitConverter.UInt32BitsToSingle((uint)bits);
    }

    /// <summary>
    /// Text that is Unicode: System.Text.Json would silently turn a lone surrogate into U+FFFD, so the string would
    /// arrive changed; refuse it when writing instead.
    /// </summary>
    private sealed class TextConverter : JsonConverter<string>
    {
        public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String
                ? reader.GetString()!
                : throw new JsonException($"a {reader.TokenType} where a string belongs");

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
        {
            if (!IsUnicode(value))
            {
                throw new JsonException("a string holds a lone UTF-16 surrogate, which is not Unicode text");
            }

            writer.WriteStringValue(value);
        }

        private static bool IsUnicode(string value)
        {
            if (!value.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
            {
                return true;
            }

            for (var i = 0; i < value.Length; i++)
            {
                if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                }
                else if (char.IsSurrogate(value[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>
    /// An actor reference as its serialized path (with this node's address when remoting is on); the receiving node
    /// resolves the path to a reference through its own provider.
    /// </summary>
    private sealed class ActorRefConverter(ExtendedActorSystem system) : JsonConverter<IActorRef>
    {
        public override IActorRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var path = reader.TokenType == JsonTokenType.String
                ? reader.GetString()!
                : throw new JsonException($"a {reader.TokenType} where an actor path belongs");
            return path.Length > 0 ? system.Provider.ResolveActorRef(path) : throw new JsonException("an empty actor path");
        }

        public override void Write(Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Akka.Serialization.Serialization.SerializedActorPath(value));
    }
}
