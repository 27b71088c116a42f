using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster.Sharding;
using V2V.Coordinator.Ledger;
using V2V.Simulation.Cluster;

namespace V2V.Cluster.Tests;

/// <summary>Cluster members on 127.0.0.1 in this process, and the configurations the tests run.</summary>
internal static class Loopback
{
    public const string Host = "127.0.0.1";

    /// <summary>A TCP port free on the loopback interface now (a seed member needs a fixed one).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static ClusterOptions Options(string seed, int port, TimeSpan joinTimeout, params string[] roles) =>
        new(Host, port, seed, roles, joinTimeout, Shards: 20);

    /// <summary>A member with <paramref name="roles"/> joining <paramref name="seed"/>, up when this returns.</summary>
    public static ActorSystem Member(string seed, int port, params string[] roles) => Member(seed, port, null, roles);

    /// <summary>A member as <see cref="Member(string, int, string[])"/>, with <paramref name="akka"/> over the defaults.</summary>
    public static ActorSystem Member(string seed, int port, Akka.Configuration.Config? akka, params string[] roles)
    {
        var options = Options(seed, port, TimeSpan.FromSeconds(30), roles);
        var system = ClusterNode.Create(options, akka);
        ClusterMembers.WaitUntilUp(system, seed, options.JoinTimeout);
        return system;
    }

    /// <summary>How many shards of the EV region <paramref name="member"/> hosts now.</summary>
    public static int ShardsHosted(ActorSystem member)
    {
        var region = ClusterSharding.Get(member).ShardRegion(EvSharding.TypeName);
        var state = region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        return state.Shards.Count;
    }

    public static IReadOnlyList<string> Lines(MemoryLedger ledger) => [.. ledger.Entries.Select(LedgerJson.Serialize)];
}
