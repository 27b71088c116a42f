using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using V2V.Coordinator.Actors;
using V2V.Market.Faults;
using V2V.Market.Protocol;

namespace V2V.Simulation.Cluster;

/// <summary>
/// The EVs' shard region (type name <see cref="TypeName"/>): entities hosted by the members with the
/// <see cref="ClusterRoles.Agents"/> role, a proxy on every other member. Entity ids are
/// <c>run/agent</c> (see <see cref="ShardedPlacement"/>), so two runs on one cluster never share an entity.
/// No remember-entities, no idle passivation, no rebalancing (<see cref="ShardByRank"/>): an EV lives on the member
/// where it started until it leaves (its state is its own until the ledger has it). The shard of an EV is
/// <see cref="NodeLoss.ShardOf"/> of its id, and shard s goes to agents member s mod K (members ranked by address), so
/// the EVs of virtual node k of a scheduled node loss are exactly those on agents member k.
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
        return sharding.Start(TypeName, _ => EvEntity.Props(), settings, extractor, new ShardByRank(system), PoisonPill.Instance);
    }

    /// <summary>
    /// Returns once the shard coordinator of <paramref name="region"/> (the EV region, or the facility region) knows
    /// <paramref name="count"/> regions, one per member with <paramref name="role"/>, so that the first shard placed
    /// already sees them all and shard s lands on member s mod K; throws after <paramref name="timeout"/>.
    /// </summary>
    public static void AwaitRegions(IActorRef region, string role, int count, TimeSpan timeout, CancellationToken cancellation)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var known = 0;
            try
            {
                known = region.Ask<CurrentRegions>(GetCurrentRegions.Instance, RegionsPoll, cancellation).GetAwaiter().GetResult().Regions.Count;
            }
            catch (AskTimeoutException)
            {
                // No coordinator yet: ask again.
            }

            if (known >= count)
            {
                return;
            }

            if (clock.Elapsed >= timeout)
            {
                throw new ClusterUnavailableException(
                    $"the {(role == ClusterRoles.Agents ? "EV" : "facility")} shard coordinator knows {known} {role} member(s) after {timeout.TotalSeconds:0.#} s; the run needs {count}");
            }

            Task.Delay(RegionsPoll, cancellation).Wait(cancellation);
        }
    }

    /// <summary>
    /// The agents member of virtual node <paramref name="node"/> of a scheduled node loss that spreads EVs over
    /// <paramref name="nodes"/> nodes; fails if the cluster does not have that many agents members up.
    /// </summary>
    public static Address AgentOfNode(ActorSystem system, int node, int nodes)
    {
        var members = RankedAgents(system);
        return members.Count == nodes
            ? members[node]
            : throw new InvalidOperationException(
                $"the scheduled node loss spreads EVs over {nodes} nodes, but the cluster has {members.Count} agents members up");
    }

    /// <summary>The agents members of the cluster that are up, in rank order (by address): virtual node k is the k-th.</summary>
    public static IReadOnlyList<Address> RankedAgents(ActorSystem system) =>
        [.. Akka.Cluster.Cluster.Get(system).State.Members
            .Where(m => m.Status == Akka.Cluster.MemberStatus.Up && m.HasRole(ClusterRoles.Agents))
            .Select(m => m.Address)
            .OrderBy(a => a.ToString(), StringComparer.Ordinal)];

    private static readonly TimeSpan RegionsPoll = TimeSpan.FromMilliseconds(200);

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

        // The shard depends on the EV's id alone (the part after the run's id), so an EV's virtual node is a function
        // of the configuration and seed, the same in one process and on every member.
        private string ShardOf(string entityId) =>
            NodeLoss.ShardOf(entityId[(entityId.LastIndexOf('/') + 1)..], shards).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Shard s goes to the region of rank s mod R among the R regions known, ranked by their member's address (the
    /// coordinator's own region has a local path: its member is this one), so the placement is the same whatever the
    /// dictionary's order or the order the shards are first used in; a shard never moves: a rebalance would stop its
    /// EVs mid-stay and lose their state. A shard whose member has gone is placed again the same way among those left.
    /// With <paramref name="agentsFirst"/> (the facilities' regions) the regions of members that also have the agents
    /// role rank first, then the others, each group by address: the agents member of rank k, virtual node k of a
    /// scheduled node loss, is then market member k, whatever the addresses.
    /// </summary>
    internal sealed class ShardByRank(ActorSystem system, bool agentsFirst = false) : IShardAllocationStrategy
    {
        public Task<IActorRef> AllocateShard(IActorRef requester, string shardId, IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations)
        {
            var cluster = Akka.Cluster.Cluster.Get(system);
            var agents = agentsFirst ? AgentsOf(cluster) : null;
            Address MemberOf(IActorRef region) => region.Path.Address.HasLocalScope ? cluster.SelfAddress : region.Path.Address;
            var ranked = currentShardAllocations.Keys
                .OrderBy(r => agents is null || agents.Contains(MemberOf(r)) ? 0 : 1)
                .ThenBy(r => MemberOf(r).ToString(), StringComparer.Ordinal)
                .ToList();
            var shard = int.Parse(shardId, System.Globalization.CultureInfo.InvariantCulture);
            return Task.FromResult(ranked[NodeLoss.NodeOfShard(shard, ranked.Count)]);
        }

        public Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations, IImmutableSet<string> rebalanceInProgress) =>
            Task.FromResult<IImmutableSet<string>>(ImmutableHashSet<string>.Empty);

        // The members with the agents role, this one included even before the cluster's state shows it.
        private static HashSet<Address> AgentsOf(Akka.Cluster.Cluster cluster)
        {
            var agents = cluster.State.Members.Where(m => m.HasRole(ClusterRoles.Agents)).Select(m => m.Address).ToHashSet();
            if (cluster.SelfRoles.Contains(ClusterRoles.Agents))
            {
                agents.Add(cluster.SelfAddress);
            }

            return agents;
        }
    }
}

/// <summary>
/// A facility's EVs as entities of the EV shard region: started by their <see cref="StartEv"/> (from
/// <see cref="ArrivalSpec.StartFor"/>), addressed as <c>run/agent</c>, stopped by <see cref="RetireEv"/>, taken over by a
/// facility resumed on another member with <see cref="ReattachEv"/>. The region is the route of every EV; the facility
/// learns each EV's own actor from its <see cref="EvStarted"/>.
/// </summary>
/// <remarks>
/// With <paramref name="untilRecorded"/> (a facility whose ledger is streamed to the run's member) an EV that leaves is
/// only set aside (<see cref="EvLeft"/>); the facility's link retires it once its departure is recorded.
/// </remarks>
public sealed class ShardedPlacement(IActorRef region, string run, bool untilRecorded = false) : IEvPlacement
{
    public bool RouteIsTheEv => false;

    public IActorRef Start(IActorContext facility, ArrivalSpec spec)
    {
        var start = spec.StartFor ?? throw new InvalidOperationException($"{spec.Agent} has no start message: it cannot be placed on the cluster");
        region.Tell(Envelope(start(facility.Parent)), facility.Self);
        return region;
    }

    public void Send(IActorRef route, IWithAgentId message, IActorRef sender) => route.Tell(Envelope(message), sender);

    public void Stop(IActorContext facility, IActorRef route, string agent) =>
        route.Tell(Envelope(untilRecorded ? new EvLeft(agent) : new RetireEv(agent)), facility.Self);

    /// <summary>The EV <paramref name="agent"/>, started by an earlier incarnation of the facility, trades with this one from <paramref name="step"/> on.</summary>
    public IActorRef Reattach(IActorContext facility, string agent, int step)
    {
        region.Tell(Envelope(new ReattachEv(agent, step, facility.Parent)), facility.Self);
        return region;
    }

    /// <summary>The agents member of rank <paramref name="node"/> leaves the cluster (<see cref="NodeLeaver"/>).</summary>
    public void LoseNode(IActorContext facility, int node, int nodes)
    {
        facility.ActorOf(NodeLeaver.Props(EvSharding.AgentOfNode(facility.System, node, nodes), node, facility.Self), $"node-loss-{node}");
    }

    private ShardingEnvelope Envelope(IWithAgentId message) => EntityEnvelope(run, message);

    /// <summary>The envelope that takes <paramref name="message"/> to its EV of run <paramref name="run"/> through the EV region.</summary>
    public static ShardingEnvelope EntityEnvelope(string run, IWithAgentId message) => new(run + "/" + message.Agent, message);
}
