namespace V2V.Market.Protocol;

/// <summary>
/// The wire version of a protocol message type (1 when absent). Raise it whenever the type's fields change in a way an
/// older node would misread (a field added, removed, renamed or retyped): the serializer writes the version into each
/// message's manifest (<c>StepOpened/2</c>) and a node refuses a version it does not read instead of guessing.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class ProtocolVersionAttribute(int version) : Attribute
{
    public int Version { get; } = version;
}
