using System.Collections.Frozen;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Akka.Actor;
using Akka.Serialization;
using V2V.Market.Protocol;

namespace V2V.Simulation.Serialization;

/// <summary>
/// Akka serializer of every <see cref="IProtocolMessage"/>: UTF-8 JSON (System.Text.Json) under a manifest naming the
/// type and its wire version (<c>StepOpened/1</c>, see <see cref="ProtocolVersionAttribute"/>). The message types are
/// found by reflection when the actor system starts (<see cref="ProtocolTypes"/>) and their JSON contracts built then,
/// so sending a message costs a dictionary look-up and the JSON write, nothing reflective. Bad input from another node
/// (a manifest this node does not know, a version it does not read, a payload that is not the type's JSON) is a
/// one-line <see cref="SerializationException"/> naming the manifest. Bound by <see cref="ProtocolSerialization.Hocon"/>.
/// </summary>
public sealed class ProtocolSerializer : SerializerWithStringManifest
{
    /// <summary>
    /// The serializer's wire identifier, sent with every message: it must never change once nodes talk to each other.
    /// Akka.NET keeps 0-100 for its own serializers; 7218 is ours and is also written in the HOCON binding.
    /// </summary>
    public const int SerializerId = 7218;

    private readonly FrozenDictionary<Type, Entry> byType;
    private readonly FrozenDictionary<string, Entry> byManifest;
    private readonly FrozenDictionary<string, ProtocolType> byName;

    public ProtocolSerializer(ExtendedActorSystem system)
        : this(system, ProtocolTypes.Discover(ProtocolTypes.Assemblies()))
    {
    }

    /// <summary>A serializer of exactly <paramref name="types"/> (tests pass their own set).</summary>
    internal ProtocolSerializer(ExtendedActorSystem system, IEnumerable<Type> types)
        : base(system)
    {
        var options = ProtocolJson.Options(system);
        var described = ProtocolTypes.Describe(types);
        var entries = described.Select(t => new Entry(t, t.Unsupported is null ? options.GetTypeInfo(t.Type) : null)).ToList();
        byType = entries.ToFrozenDictionary(e => e.Type.Type);
        byManifest = entries.ToFrozenDictionary(e => e.Type.Manifest, StringComparer.Ordinal);
        byName = described.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public override int Identifier => SerializerId;

    /// <summary>The message types this serializer knows, by full name.</summary>
    internal IEnumerable<ProtocolType> Types => byType.Values.Select(e => e.Type).OrderBy(t => t.Type.FullName, StringComparer.Ordinal);

    public override string Manifest(object o) => Find(o).Type.Manifest;

    public override byte[] ToBinary(object obj)
    {
        var entry = Find(obj);
        var contract = entry.Contract ?? throw CannotCross(entry.Type);
        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(obj, contract);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw Fail(entry.Type.Manifest, $"cannot be written: {OneLine(e)}");
        }
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!byManifest.TryGetValue(manifest, out var entry))
        {
            throw Fail(manifest, WhyUnknown(manifest));
        }

        var contract = entry.Contract ?? throw CannotCross(entry.Type);
        try
        {
            return JsonSerializer.Deserialize(bytes, contract) ?? throw Fail(manifest, "malformed payload: null where a message belongs");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or FormatException
                                      or ArgumentException or OverflowException)
        {
            throw Fail(manifest, $"malformed payload: {OneLine(e)}");
        }
    }

    private Entry Find(object message) =>
        byType.TryGetValue(message.GetType(), out var entry)
            ? entry
            : throw new SerializationException(
                $"{message.GetType().FullName} is not a protocol message type this serializer found at startup " +
                "(a concrete IProtocolMessage in a V2V assembly)");

    private string WhyUnknown(string manifest)
    {
        var slash = manifest.LastIndexOf('/');
        var name = slash < 0 ? manifest : manifest[..slash];
        if (!byName.TryGetValue(name, out var known))
        {
            return "unknown message type";
        }

        return slash < 0 || !int.TryParse(manifest.AsSpan(slash + 1), out var version)
            ? $"no version after the type name (this node reads {known.Manifest})"
            : $"version {version} is not supported (this node reads {known.Manifest})";
    }

    private static SerializationException CannotCross(ProtocolType type) =>
        Fail(type.Manifest, $"cannot cross a node: {type.Unsupported}");

    private static SerializationException Fail(string manifest, string problem) =>
        new($"protocol message '{manifest}': {problem}");

    private static string OneLine(Exception e) => e.Message.ReplaceLineEndings(" ").Trim();

    /// <summary>A known type with its JSON contract (null when the type cannot cross a node).</summary>
    private sealed record Entry(ProtocolType Type, JsonTypeInfo? Contract);
}
