using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using V2V.Coordinator.Actors;
using V2V.Market.Protocol;
using V2V.Market.Randomness;

namespace V2V.Simulation.Cluster;

/// <summary>
/// The EVs' shard region (type name <see cref="TypeName"/>): entities hosted by the members with the
/// <see cref="ClusterRoles.Agents"/> role, a proxy on every other member. Entity ids are
/// <c>run/agent</c> (see <see cref="ShardedPlacement"/>), so two runs on one cluster never share an entity.
/// No remember-entities, no idle passivation, no rebalancing (<see cref="NoRebalancing"/>): an EV lives on the member
/// where it started until it leaves (its state is its own until the ledger has it).
/// </summary>
public static class EvSharding
{
    public const string TypeName = "ev";

    /// <summary>This member's way to the EV entities: the region itself on an agents member, a proxy elsewhere.</summary>
    public static IActorRef Region(ActorSystem system, int shards)
    {
        var sharding = ClusterSharding.Get(system);
        var extractor = new EnvelopeExtractor(shards);
        if (!Akka.Cluster.Cluster.Get(system).SelfRoles.Contains(ClusterRoles.Agents))
        {
            return sharding.StartProxy(TypeName, ClusterRoles.Agents, extractor);
        }

        var settings = ClusterShardingSettings.Create(system).WithRole(ClusterRoles.Agents);
        return sharding.Start(TypeName, _ => EvEntity.Props(), settings, extractor, new NoRebalancing(), PoisonPill.Instance);
    }

    /// <summary>
    /// Messages travel to the region wrapped in <see cref="ShardingEnvelope"/> (the entity id is the run's, not only
    /// the EV's), which sharding unwraps itself; the shard is a stable hash of the entity id (not string.GetHashCode),
    /// the same on every member and in every process.
    /// </summary>
    internal sealed class EnvelopeExtractor(int shards) : IMessageExtractor
    {
        // Sharding unwraps a ShardingEnvelope itself, asks for its shard and hands the entity the message as it is;
        // nothing is sent unwrapped, so no other message has an entity id.
        public string? EntityId(object message) => null;

        public object EntityMessage(object message) => message;

        [Obsolete("Sharding calls ShardId(entityId, message); kept for the interface.")]
        public string? ShardId(object message) => null;

        public string ShardId(string entityId, object? messageHint = null) => ShardOf(entityId);

        private string ShardOf(string entityId) => (Seeds.Hash(entityId) % (ulong)shards).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Each new shard goes to the region holding the fewest (ties: the lowest address, so the choice is the same however
    /// the dictionary is ordered), and a shard never moves: a rebalance would stop its EVs mid-stay and lose their state.
    /// </summary>
    internal sealed class NoRebalancing : IShardAllocationStrategy
    {
        public Task<IActorRef> AllocateShard(IActorRef requester, string shardId, IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations)
        {
            var least = currentShardAllocations
                .OrderBy(a => a.Value.Count)
                .ThenBy(a => a.Key.Path.ToString(), StringComparer.Ordinal)
                .First();
            return Task.FromResult(least.Key);
        }

        public Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations, IImmutableSet<string> rebalanceInProgress) =>
            Task.FromResult<IImmutableSet<string>>(ImmutableHashSet<string>.Empty);
    }
}

/// <summary>
/// A facility's EVs as entities of the EV shard region: started by their <see cref="StartEv"/> (from
/// <see cref="ArrivalSpec.StartFor"/>), addressed as <c>run/agent</c>, stopped by <see cref="RetireEv"/>. The region is
/// the route of every EV; the facility learns each EV's own actor from its <see cref="EvStarted"/>.
/// </summary>
public sealed class ShardedPlacement(IActorRef region, string run) : IEvPlacement
{
    public bool RouteIsTheEv => false;

    public IActorRef Start(IActorContext facility, ArrivalSpec spec)
    {
        var start = spec.StartFor ?? throw new InvalidOperationException($"{spec.Agent} has no start message: it cannot be placed on the cluster");
        region.Tell(Envelope(start(facility.Parent)), facility.Self);
        return region;
    }

    public void Send(IActorRef route, IWithAgentId message, IActorRef sender) => route.Tell(Envelope(message), sender);

    public void Stop(IActorContext facility, IActorRef route, string agent) => route.Tell(Envelope(new RetireEv(agent)), facility.Self);

    private ShardingEnvelope Envelope(IWithAgentId message) => new(run + "/" + message.Agent, message);
}
