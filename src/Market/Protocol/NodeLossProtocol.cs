namespace V2V.Market.Protocol;

// A node loss the scenario schedules (docs/faults.md): control-plane messages between the coordinator and its facility.

/// <summary>
/// Coordinator -> facility, just before step <paramref name="Step"/>'s <see cref="BeginStep"/>: virtual node
/// <paramref name="Node"/> of <paramref name="Nodes"/> is lost at this boundary. Its EVs are in that BeginStep's gone
/// list; the facility retires them, has the node go (on a cluster: the agents member of that rank leaves) and admits
/// the step's arrivals only once it has gone, so none of them can start there.
/// </summary>
public sealed record LoseNode(int Step, int Node, int Nodes) : IProtocolMessage;

/// <summary>Placement -> facility: the node of <see cref="LoseNode"/> is gone (on a cluster: removed from it).</summary>
public sealed record NodeGone(int Node) : IProtocolMessage;
