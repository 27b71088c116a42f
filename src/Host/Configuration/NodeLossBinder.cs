using V2V.Market.Configuration;
using V2V.Market.Faults;

namespace V2V.Host.Configuration;

/// <summary>
/// Reads <c>v2v.simulation.faults.node-loss</c> (docs/faults.md) into a <see cref="NodeLoss"/>, or null when no loss is
/// scheduled (<c>at-step = -1</c>). The EVs' virtual node follows their shard, so the shard count comes from
/// <c>v2v.cluster.shards</c>, in one process as on a cluster. Every error names its key (exit 2).
/// </summary>
public static class NodeLossBinder
{
    private const string Path = "v2v.simulation.faults.node-loss";

    public static NodeLoss? Bind(Config config, TimeConfig time)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(time);
        var c = config.GetConfig(Path);
        int at = c.GetInt("at-step");
        if (at == -1)
        {
            return null;
        }

        int shards = config.GetIntAtLeast("v2v.cluster.shards", 1);
        int nodes = c.GetInt("nodes");
        int node = c.GetInt("node");

        // Step 0 has nobody parked before its arrivals, and a loss at the end of the run would lose nothing either.
        if (at < 1 || at >= time.TotalSteps)
        {
            throw c.Error("at-step", $"expected -1 (no node loss) or a step in [1, {time.TotalSteps - 1}] (the run has {time.TotalSteps} steps), got {at}");
        }

        // A node is lost among others that take over its shards: one virtual node is no cluster, and a node without a
        // shard would hold no EV.
        if (nodes < 2 || nodes > shards)
        {
            throw c.Error("nodes", $"expected a whole number in [2, v2v.cluster.shards = {shards}], got {nodes}");
        }

        if (node < 0 || node >= nodes)
        {
            throw c.Error("node", $"expected a virtual node in [0, {nodes - 1}] (nodes = {nodes}), got {node}");
        }

        return new NodeLoss(at, node, nodes, shards);
    }
}
