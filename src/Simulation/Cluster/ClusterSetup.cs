using System.Globalization;
using Akka.Configuration;

namespace V2V.Simulation.Cluster;

/// <summary>The roles of DESIGN "Across machines": which member holds what.</summary>
public static class ClusterRoles
{
    /// <summary>Coordinators and facilities (today: the member that starts the run, which writes the ledger).</summary>
    public const string Market = "market";

    /// <summary>EV entities (the EV shard region).</summary>
    public const string Agents = "agents";

    /// <summary>Where the critic singleton may live (the oldest member with this role holds it; docs/cluster.md).</summary>
    public const string Learning = "learning";

    public static IReadOnlyList<string> All { get; } = [Market, Agents, Learning];
}

/// <summary>
/// One cluster member's settings: where it listens (<paramref name="Host"/>, <paramref name="Port"/>, 0 for any free
/// port), the seed member it joins (HOST:PORT; its own address for the first member), its roles, how long it may take
/// to join (and a run to find its members) before it fails, and how many shards the EVs are spread over.
/// </summary>
public sealed record ClusterOptions(string Host, int Port, string Seed, IReadOnlyList<string> Roles, TimeSpan JoinTimeout, int Shards)
{
    /// <summary>The actor system name every member shares (a member of another name cannot join).</summary>
    public const string SystemName = "v2v";

    public string SeedAddress => $"akka.tcp://{SystemName}@{Seed}";

    /// <summary>
    /// The Akka settings of the member, to put in front of the run's own Akka section. Fixed here because a run's
    /// correctness depends on them (docs/cluster.md): sharding keeps its state in distributed data, never remembers
    /// entities (that would need LightningDB) nor passivates an idle EV (an EV between two of its steps is idle), and a
    /// member counts as up on its own (min-nr-of-members = 1): the run waits for the members it needs itself. Remote
    /// batching is off: a step is a chain of barriers, each waiting for every answer, so a message held back up to the
    /// flush interval (40 ms) to travel with others delays the whole facility at every barrier (a two-day run of 100 EVs
    /// over three local members: 12.8 s with batching, 7.8 s with it off on the run's member alone). A frame may hold
    /// 4 MiB: a policy version of the default 12-128-128-2 actor is about 200 kB of JSON (Akka's default is 128 kB).
    /// </summary>
    public Config ToAkkaConfig() => ConfigurationFactory.ParseString($$"""
        akka {
          actor.provider = cluster
          remote.log-remote-lifecycle-events = off
          remote.dot-netty.tcp {
            batching.enabled = false
            maximum-frame-size = 4MiB
            send-buffer-size = 4MiB
            receive-buffer-size = 4MiB
            hostname = "{{Host}}"
            port = {{Port.ToString(CultureInfo.InvariantCulture)}}
          }
          cluster {
            seed-nodes = ["{{SeedAddress}}"]
            roles = [{{string.Join(", ", Roles.Select(r => $"\"{r}\""))}}]
            min-nr-of-members = 1
            log-info = off
            sharding {
              state-store-mode = ddata
              remember-entities = off
              passivate-idle-entity-after = off
              distributed-data.durable.keys = []
            }
          }
        }
        """);

    /// <summary>HOST:PORT checked: a host name or address, a port 1-65535 (one line naming <paramref name="what"/> otherwise).</summary>
    public static (string Host, int Port) ParseEndpoint(string what, string value)
    {
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || colon == value.Length - 1
            || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new ArgumentException($"{what}: expected HOST:PORT with a port 1-65535, got '{value}'");
        }

        return (value[..colon], port);
    }
}
