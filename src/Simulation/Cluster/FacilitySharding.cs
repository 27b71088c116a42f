using System.Collections.Immutable;
using System.Globalization;
using Akka.Actor;
using Akka.Cluster.Sharding;

namespace V2V.Simulation.Cluster;

/// <summary>
/// The facilities' shard region (type name <see cref="TypeName"/>): entities hosted by the members with the
/// <see cref="ClusterRoles.Market"/> role, entity id RUN/fNNN. As for the EVs: state in distributed data, no
/// remember-entities, no idle passivation (a facility is idle while its EVs answer), no rebalancing (a move would stop
/// a coordinator mid-run). Facility k goes to shard k mod shards, and shard s to the market member of rank s mod R
/// (<see cref="AgentsFirst"/>), so the facilities of a run fill the members in turn.
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
        return sharding.Start(TypeName, _ => FacilityEntity.Props(), settings, new Extractor(shards), new AgentsFirst(system), PoisonPill.Instance);
    }

    /// <summary>The id of facility <paramref name="facilityId"/> (fNNN) of <paramref name="run"/>: the entity id, the run id its EVs and spec are kept under.</summary>
    public static string EntityOf(string run, string facilityId) => run + "/" + facilityId;

    /// <summary><paramref name="message"/> for the entity <paramref name="entity"/>, as the region takes it.</summary>
    public static ShardingEnvelope Envelope(string entity, object message) => new(entity, message);

    /// <summary>
    /// Shard s goes to the region of rank s mod R among the R regions known: first those of the members that also have
    /// the agents role, by address (so the agents member of rank k, virtual node k of a scheduled node loss, is market
    /// member k), then the others, by address. Which facilities a scheduled node loss takes with its member is then a
    /// function of the configuration and the cluster's shape (how many market and agents members), not of the
    /// addresses. A shard never moves while its member is up; one whose member has gone is placed again the same way
    /// among those left.
    /// </summary>
    internal sealed class AgentsFirst(ActorSystem system) : IShardAllocationStrategy
    {
        public Task<IActorRef> AllocateShard(IActorRef requester, string shardId, IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations)
        {
            var cluster = Akka.Cluster.Cluster.Get(system);
            var agents = cluster.State.Members.Where(m => m.HasRole(ClusterRoles.Agents)).Select(m => m.Address).ToHashSet();
            if (cluster.SelfRoles.Contains(ClusterRoles.Agents))
            {
                agents.Add(cluster.SelfAddress);
            }

            Address MemberOf(IActorRef region) => region.Path.Address.HasLocalScope ? cluster.SelfAddress : region.Path.Address;
            var ranked = currentShardAllocations.Keys
                .OrderBy(r => agents.Contains(MemberOf(r)) ? 0 : 1)
                .ThenBy(r => MemberOf(r).ToString(), StringComparer.Ordinal)
                .ToList();
            var shard = int.Parse(shardId, CultureInfo.InvariantCulture);
            return Task.FromResult(ranked[shard % ranked.Count]);
        }

        public Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations, IImmutableSet<string> rebalanceInProgress) =>
            Task.FromResult<IImmutableSet<string>>(ImmutableHashSet<string>.Empty);
    }

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
