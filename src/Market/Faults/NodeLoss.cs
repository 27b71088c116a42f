using V2V.Market.Randomness;

namespace V2V.Market.Faults;

/// <summary>
/// A node loss scheduled by the scenario (<c>v2v.simulation.faults.node-loss</c>, docs/faults.md): at the boundary of
/// step <paramref name="AtStep"/> virtual node <paramref name="Node"/> of <paramref name="Nodes"/> is lost, and every EV
/// parked on it with it. An EV's virtual node is a pure function of its id: its shard (<see cref="ShardOf"/>, the one
/// the cluster routes it by, over <paramref name="Shards"/> shards) modulo <paramref name="Nodes"/>. On a cluster the
/// shards are placed the same way (shard s on agents member s mod K, members ordered by address), so virtual node k
/// is agents member k; in one process nothing runs anywhere else and the same EVs are lost, so both ledgers agree.
/// </summary>
public sealed record NodeLoss(int AtStep, int Node, int Nodes, int Shards)
{
    /// <summary>The shard of an EV: a stable hash of its id (never string.GetHashCode), the same in every process.</summary>
    public static int ShardOf(string agent, int shards) => (int)(Seeds.Mix(Seeds.Hash(agent)) % (ulong)shards);

    /// <summary>The virtual node (agents member) that shard <paramref name="shard"/> lives on among <paramref name="nodes"/>.</summary>
    public static int NodeOfShard(int shard, int nodes) => shard % nodes;

    /// <summary>The virtual node of <paramref name="agent"/>.</summary>
    public int NodeOf(string agent) => NodeOfShard(ShardOf(agent, Shards), Nodes);

    /// <summary>Whether <paramref name="agent"/>, parked at the boundary of <see cref="AtStep"/>, is lost with the node.</summary>
    public bool Loses(string agent) => NodeOf(agent) == Node;
}
