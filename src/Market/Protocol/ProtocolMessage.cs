namespace V2V.Market.Protocol;

/// <summary>
/// Marks every message that may cross a node: the actor system binds all of them to our serializer (a manifest and a
/// version per type), so a message that cannot cross a node fails in the test suite rather than on a cluster.
/// </summary>
public interface IProtocolMessage;

/// <summary>A message addressed to (or about) one EV: <see cref="Agent"/> is the EV id that routes it (sharding).</summary>
public interface IWithAgentId : IProtocolMessage
{
    string Agent { get; }
}
