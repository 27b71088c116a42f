using System.Globalization;
using V2V.Host.Cli;
using V2V.Host.Configuration;
using V2V.Simulation.Cluster;

namespace V2V.Host.Node;

/// <summary>
/// `v2v run --cluster HOST:PORT` and `v2v run --nodes K`: the run's own member (role market: the coordinator and the
/// ledger stay here) and, with --nodes, the K-1 local members it starts and stops. Without either option the run is one
/// process, no cluster at all.
/// </summary>
internal sealed class RunOnCluster : IDisposable
{
    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("cluster", "HOST:PORT", "run over the cluster whose seed member is HOST:PORT (see 'v2v node'); waits for its members"),
        new("nodes", "K", "run over K local cluster members: this process and K-1 'v2v node' processes it starts and stops"),
    ];

    private const string Sharded = "sharded";
    private const string WithFacility = "with-facility";

    private readonly LocalMembers? members;

    private RunOnCluster(ClusterRun? run, LocalMembers? members)
    {
        Run = run;
        this.members = members;
    }

    /// <summary>The cluster of the run, or null for a run in one process.</summary>
    public ClusterRun? Run { get; }

    /// <summary>Checks the options (exit 2 on a bad one) and, with --nodes, starts the local members.</summary>
    public static RunOnCluster Plan(Arguments args, Config config, int seed)
    {
        var cluster = args.Get("cluster");
        var nodes = args.Get("nodes");
        if (cluster is not null && nodes is not null)
        {
            throw new UsageException("--nodes: runs over local members it starts; --cluster over running ones: give one of them");
        }

        var placement = config.GetString("v2v.cluster.ev-placement");
        if (placement is not (Sharded or WithFacility))
        {
            throw config.Error("v2v.cluster.ev-placement", $"expected {Sharded} or {WithFacility}, got '{placement}'");
        }

        var withFacility = placement == WithFacility;
        var id = $"{DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}-seed{seed}-{Guid.NewGuid():N}"[..40];
        if (cluster is not null)
        {
            var at = ClusterSettings.ParseSeed("cluster", cluster);
            var options = ClusterSettings.Bind(config, at, [ClusterRoles.Market]);
            return new RunOnCluster(new ClusterRun(id, options, config.GetIntAtLeast("v2v.cluster.agents-members", 1)) { EvsWithFacility = withFacility }, null);
        }

        if (nodes is null)
        {
            return new RunOnCluster(null, null);
        }

        var k = Arguments.ParseInt("nodes", nodes, 1, 64);
        var port = LocalMembers.FreePort();
        var local = ClusterSettings.Bind(config, $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", k == 1 ? [ClusterRoles.Market, ClusterRoles.Agents] : [ClusterRoles.Market], port) with { Host = "127.0.0.1" };
        var started = k == 1 ? null : LocalMembers.Start(k - 1, local.Seed, args.Get("config"), args.GetAll("set"));
        return new RunOnCluster(new ClusterRun(id, local, AgentsMembers: Math.Max(1, k - 1)) { EvsWithFacility = withFacility }, started);
    }

    public void Dispose() => members?.Dispose();
}
