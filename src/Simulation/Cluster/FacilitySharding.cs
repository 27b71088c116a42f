using System.Globalization;
using Akka.Actor;
using Akka.Cluster.Sharding;

namespace V2V.Simulation.Cluster;

/// <summary>
/// The facilities' shard region (type name <see cref="TypeName"/>): entities hosted by the members with the
/// <see cref="ClusterRoles.Market"/> role, entity id RUN/fNNN. As for the EVs: state in distributed data, no
/// remember-entities, no idle passivation (a facility is idle while its EVs answer), no rebalancing (a move would stop
/// a coordinator mid-run). Facility k goes to shard k mod shards, and shard s to the market member of rank s mod R
/// (agents members first: <see cref="EvSharding.ShardByRank"/>), so the facilities of a run fill the members in turn.
/// </summary>
public static class FacilitySharding
{
    public const string TypeName = "facility";

    /// <summary>The region on a member with the market role; null on any other member (only runs address facilities, and a run's member has the market role).</summary>
    public static IActorRef? Region(ActorSystem system, int shards)
    {
        if (!Akka.Cluster.Cluster.Get(system).SelfRoles.Contains(ClusterRoles.Market))
        {
            return null;
        }

        // The extension first: it loads sharding's default settings, which the settings below are read from.
        var sharding = ClusterSharding.Get(system);
        var settings = ClusterShardingSettings.Create(system).WithRole(ClusterRoles.Market);
        return sharding.Start(TypeName, _ => FacilityEntity.Props(), settings, new Extractor(shards), new EvSharding.ShardByRank(system, agentsFirst: true), PoisonPill.Instance);
    }

    /// <summary>The id of facility <paramref name="facilityId"/> (fNNN) of <paramref name="run"/>: the entity id, the run id its EVs and spec are kept under.</summary>
    public static string EntityOf(string run, string facilityId) => run + "/" + facilityId;

    /// <summary><paramref name="message"/> for the entity <paramref name="entity"/>, as the region takes it.</summary>
    public static ShardingEnvelope Envelope(string entity, object message) => new(entity, message);

    /// <summary>
    /// The shard of RUN/fNNN is NNN mod shards: deterministic, and the same on every member. Sharding unwraps the
    /// envelope itself; nothing is sent unwrapped.
    /// </summary>
    internal sealed class Extractor(int shards) : IMessageExtractor
    {
        public string? EntityId(object message) => null;

        public object EntityMessage(object message) => message;

        [Obsolete("Sharding calls ShardId(entityId, message); kept for the interface.")]
        public string? ShardId(object message) => null;

        public string ShardId(string entityId, object? messageHint = null)
        {
            var slash = entityId.LastIndexOf('/');
            var number = entityId.AsSpan(slash + 2);
            return slash >= 0 && entityId.Length > slash + 2 && entityId[slash + 1] == 'f' && int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var k)
                ? (k % shards).ToString(CultureInfo.InvariantCulture)
                : throw new ArgumentException($"facility entity id '{entityId}': expected RUN/fNNN");
        }
    }
}
