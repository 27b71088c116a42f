using System.Globalization;
using Akka.Actor;
using V2V.Host.Cli;
using V2V.Host.Configuration;
using V2V.Host.Node;
using V2V.Simulation.Cluster;

namespace V2V.Host.Train;

/// <summary>
/// `v2v train --backend simulation --cluster HOST:PORT` and `--nodes K` (docs/cluster.md, "Training on a cluster"):
/// each episode runs over the cluster from the one member this process starts for the training (role market: the
/// coordinator, the scores; <see cref="ClusterTrainingEpisodes"/>), the EVs sharded over the agents members, the critic a cluster singleton on the oldest member with the
/// learning role. With --cluster that is one of the running `v2v node` members; with --nodes K this process holds it
/// (a member with the learning role only, the seed of the others) and starts K-1 `v2v node` processes with the roles
/// market and agents, stopped at the end.
/// </summary>
internal sealed class TrainOnCluster : IDisposable
{
    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("cluster", "HOST:PORT", "train on the cluster whose seed member is HOST:PORT (--backend simulation; see docs/cluster.md)"),
        new("nodes", "K", "train on K local members, K >= 2: this process (the critic) and K-1 'v2v node' processes it starts (--backend simulation)"),
    ];

    private readonly ActorSystem? critic;
    private readonly LocalMembers? members;

    private TrainOnCluster(ClusterOptions episodes, int agentsMembers, ActorSystem? critic, LocalMembers? members)
    {
        Episodes = episodes;
        AgentsMembers = agentsMembers;
        Training = $"train-{Guid.NewGuid():N}"[..20];
        this.critic = critic;
        this.members = members;
    }

    /// <summary>The training's id on the cluster.</summary>
    public string Training { get; }

    /// <summary>The cluster options of the training's member (role market), which every episode runs on.</summary>
    public ClusterOptions Episodes { get; }

    public int AgentsMembers { get; }

    /// <summary>Episode <paramref name="episode"/>'s cluster run (its own run id).</summary>
    public ClusterRun RunOf(int episode) =>
        new($"{Training}-e{episode.ToString("D6", CultureInfo.InvariantCulture)}", Episodes, AgentsMembers);

    /// <summary>
    /// Null without --cluster and --nodes. Checks the options (exit 2 on a bad one); with --nodes starts this process's
    /// critic member and the local members.
    /// </summary>
    public static TrainOnCluster? Plan(Arguments args, Config config, bool onSimulation)
    {
        var cluster = args.Get("cluster");
        var nodes = args.Get("nodes");
        if (cluster is null && nodes is null)
        {
            return null;
        }

        var option = cluster is not null ? "cluster" : "nodes";
        if (cluster is not null && nodes is not null)
        {
            throw new UsageException("--nodes: trains on local members it starts; --cluster on running ones: give one of them");
        }

        if (!onSimulation)
        {
            throw new UsageException($"--{option}: training on a cluster runs the market simulation's actors: add --backend simulation");
        }

        if (cluster is not null)
        {
            var at = ClusterSettings.ParseSeed("cluster", cluster);
            return new TrainOnCluster(ClusterSettings.Bind(config, at, [ClusterRoles.Market]), config.GetIntAtLeast("v2v.cluster.agents-members", 1), null, null);
        }

        var k = Arguments.ParseInt("nodes", nodes!, 2, 64);
        var port = LocalMembers.FreePort();
        var seed = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        var own = ClusterSettings.Bind(config, seed, [ClusterRoles.Learning], port) with { Host = "127.0.0.1" };
        var system = ClusterNode.Create(own, config.ToAkkaConfig());
        try
        {
            ClusterMembers.WaitUntilUp(system, seed, own.JoinTimeout);
            var started = LocalMembers.Start(k - 1, seed, args.Get("config"), args.GetAll("set"));
            return new TrainOnCluster(own with { Port = 0, Roles = [ClusterRoles.Market] }, k - 1, system, started);
        }
        catch
        {
            system.Terminate().Wait(own.JoinTimeout);
            throw;
        }
    }

    public void Dispose()
    {
        members?.Dispose();
        if (critic is not null)
        {
            CoordinatedShutdown.Get(critic).Run(CoordinatedShutdown.ClrExitReason.Instance).Wait(Episodes.JoinTimeout);
        }
    }
}
