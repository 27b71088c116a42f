using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using V2V.Agents.Policies;
using V2V.Coordinator.Actors;
using V2V.Learning;
using V2V.Market.Configuration;

namespace V2V.Simulation.Cluster;

/// <summary>
/// A run over a cluster (`v2v run --cluster`, `--nodes`): the run's own member holds the ledgers (role market) and the
/// coordinator of a one-facility run; the coordinators of a run of several facilities are sharded over the market members
/// (<see cref="PrepareFacilities"/>); the EVs are sharded over the members with the agents role. Before step 0 the run waits, bounded by the
/// join timeout, until it has joined and <paramref name="AgentsMembers"/> agents members are up, then sends each of them
/// the run's <see cref="RunSpec"/> and waits for every one's answer, so an EV can start on any of them. The same
/// configuration and seed give the same ledger as one process (docs/cluster.md).
/// </summary>
public sealed record ClusterRun(string Run, ClusterOptions Options, int AgentsMembers)
{
    /// <summary>
    /// In a run of several facilities: each facility's EVs are children of its coordinator's facility, on its member (no
    /// EV message crosses a process), instead of entities of the EV region (v2v.cluster.ev-placement = with-facility).
    /// </summary>
    public bool EvsWithFacility { get; init; }

    /// <summary>
    /// The member the run is made on, already serving (<see cref="ClusterNode.Create"/>) and kept by its caller across
    /// runs, as a training keeps one for all its episodes; the run stops only its own actors there. Null: the run starts
    /// a member of its own and leaves the cluster at its end.
    /// </summary>
    public ActorSystem? Member { get; init; }

    /// <summary>Prepares the cluster for the run on <paramref name="system"/> (made with <see cref="ClusterOptions.ToAkkaConfig"/>).</summary>
    /// A learned run (<paramref name="model"/>) also makes each agents member's policy of the run and publishes the model's
    /// version to it before step 0 (<see cref="ClusterPolicy"/>).
    public IEvPlacement Prepare(
        ActorSystem system, MarketConfig market, SimulationConfig simulation, CancellationToken cancellation, PolicyModel? model = null)
    {
        CheckPolicy(market, model);
        if (model is not null)
        {
            ClusterPolicy.CheckFits(system, model);
        }

        var region = Member is null ? ClusterNode.Serve(system, Options) : ClusterSharding.Get(system).ShardRegion(EvSharding.TypeName);
        var members = Join(system, cancellation);
        CheckNodeLoss(simulation);

        // Every agents member's region known before the first shard is placed: shard s goes to the member of rank s mod K.
        EvSharding.AwaitRegions(region, ClusterRoles.Agents, AgentsMembers, Options.JoinTimeout, cancellation);
        Announce(system, members, [new RunSpec(Run, market, simulation)], cancellation);
        if (model is not null)
        {
            ClusterPolicy.PublishBeforeStepZero(system, Run, [Run], members, model, Options.JoinTimeout, cancellation);
        }

        return new ShardedPlacement(region, Run);
    }

    /// <summary>
    /// Prepares the cluster for a run of several <paramref name="facilities"/> (each a facility entity RUN/fNNN on a
    /// member with the market role, its EVs sharded under that id): every member with the agents or the market role
    /// keeps each facility's spec, and every market member's facility region is known to the region's coordinator, so
    /// the facilities spread over all of them. A learned run (<paramref name="model"/>) also makes one policy of the run
    /// on every member that may hold its EVs (the agents members, or the market members when the EVs stay with their
    /// facility), which the EVs of all its facilities there bid with, and publishes the model's version to it before step
    /// 0: once per member, not per facility. Returns this member's facility region.
    /// </summary>
    public IActorRef PrepareFacilities(
        ActorSystem system,
        IReadOnlyList<Facilities.Facility> facilities,
        SimulationConfig simulation,
        CancellationToken cancellation,
        PolicyModel? model = null)
    {
        CheckPolicy(facilities[0].Market, model);
        if (model is not null)
        {
            ClusterPolicy.CheckFits(system, model);
        }

        if (simulation.Faults.CoordinatorRestartKey is { } restarts)
        {
            throw new ClusterUnavailableException(
                $"coordinator restarts (v2v.simulation.faults.{restarts}) with several facilities do not run on a cluster yet: their ledgers are on the run's member");
        }

        var evs = ClusterNode.Serve(system, Options);
        var region = ClusterSharding.Get(system).ShardRegion(FacilitySharding.TypeName);
        Join(system, cancellation);
        CheckNodeLoss(simulation);
        // This member among them even when its own view of the cluster does not show it up yet (it hosts facilities too).
        var self = Akka.Cluster.Cluster.Get(system);
        var hosts = self.State.Members
            .Where(m => m.Status == MemberStatus.Up && (m.HasRole(ClusterRoles.Agents) || m.HasRole(ClusterRoles.Market)) && m.Address != self.SelfAddress)
            .Append(self.SelfMember)
            .ToList();
        var specs = facilities.Select(f => new RunSpec(FacilitySharding.EntityOf(Run, f.Id), f.Market, simulation)).ToList();
        Announce(system, hosts, specs, cancellation);
        EvSharding.AwaitRegions(region, ClusterRoles.Market, hosts.Count(m => m.HasRole(ClusterRoles.Market)), Options.JoinTimeout, cancellation);
        if (!EvsWithFacility)
        {
            // As for one facility: EV shard s on agents member s mod K, so virtual node k of a scheduled loss is member k.
            EvSharding.AwaitRegions(evs, ClusterRoles.Agents, AgentsMembers, Options.JoinTimeout, cancellation);
        }

        if (model is not null)
        {
            var evHosts = hosts.Where(m => m.HasRole(EvsWithFacility ? ClusterRoles.Market : ClusterRoles.Agents)).ToList();
            ClusterPolicy.PublishBeforeStepZero(system, Run, [.. specs.Select(s => s.Run)], evHosts, model, Options.JoinTimeout, cancellation);
        }

        return region;
    }

    /// <summary>Tells the facilities of the run to stop and every member to drop their specs and the run's policy, if any (the run is over, or failed).</summary>
    public void FinishFacilities(ActorSystem system, IActorRef region, IReadOnlyList<Facilities.Facility> facilities)
    {
        var ids = facilities.Select(f => FacilitySharding.EntityOf(Run, f.Id)).ToList();
        foreach (var id in ids)
        {
            region.Tell(FacilitySharding.Envelope(id, new RetireFacility(id)));
        }

        foreach (var member in Akka.Cluster.Cluster.Get(system).State.Members.Where(m => m.HasRole(ClusterRoles.Agents) || m.HasRole(ClusterRoles.Market)))
        {
            var holder = system.ActorSelection(new RootActorPath(member.Address) / "user" / RunSpecHolder.Name);
            foreach (var id in ids)
            {
                holder.Tell(new ForgetRun(id));
            }

            holder.Tell(new ForgetRun(Run));
        }
    }

    private void CheckNodeLoss(SimulationConfig simulation)
    {
        if (simulation.Faults.NodeLoss is { } loss && loss.Nodes != AgentsMembers)
        {
            throw new ClusterUnavailableException(
                $"v2v.simulation.faults.node-loss.nodes is {loss.Nodes}, but the run has {AgentsMembers} agents members: virtual node k is agents member k");
        }
    }

    private static void CheckPolicy(MarketConfig market, PolicyModel? model)
    {
        if ((market.Policy.Kind == Policies.Learned) != (model is not null))
        {
            throw new ArgumentException($"policy '{market.Policy.Kind}' {(model is null ? "without" : "with")} a model");
        }
    }

    // Bounded waits until this member is up and the run's agents members are; returns those.
    private IReadOnlyList<Member> Join(ActorSystem system, CancellationToken cancellation)
    {
        ClusterMembers.WaitUntilUp(system, Options.Seed, Options.JoinTimeout, cancellation);
        return ClusterMembers.WaitForRole(system, ClusterRoles.Agents, AgentsMembers, Options.Seed, Options.JoinTimeout, cancellation);
    }

    // Every member of members keeps every spec (all asked at once) and counts shards as this run does.
    private void Announce(ActorSystem system, IReadOnlyList<Member> members, IReadOnlyList<RunSpec> specs, CancellationToken cancellation)
    {
        var asks = new List<(Member Member, Task<RunSpecStored> Stored)>(members.Count * specs.Count);
        foreach (var member in members)
        {
            var holder = system.ActorSelection(new RootActorPath(member.Address) / "user" / RunSpecHolder.Name);
            asks.AddRange(specs.Select(spec => (member, holder.Ask<RunSpecStored>(spec, Options.JoinTimeout, cancellation))));
        }

        foreach (var (member, ask) in asks)
        {
            RunSpecStored stored;
            try
            {
                stored = ask.GetAwaiter().GetResult();
            }
            catch (AskTimeoutException)
            {
                throw new ClusterUnavailableException(
                    $"member {member.Address.Host}:{member.Address.Port} did not take run {Run} within {Options.JoinTimeout.TotalSeconds:0.#} s");
            }

            if (stored.Shards != Options.Shards)
            {
                throw new ClusterUnavailableException(
                    $"member {member.Address.Host}:{member.Address.Port} spreads EVs over {stored.Shards} shards, this run over {Options.Shards}: every member needs the same v2v.cluster.shards");
            }
        }
    }

    /// <summary><paramref name="akka"/> behind the cluster settings of <paramref name="run"/>; as it is for a run in one process.</summary>
    public static Akka.Configuration.Config Settings(ClusterRun? run, Akka.Configuration.Config akka) =>
        run is null ? akka : run.Options.ToAkkaConfig().WithFallback(akka);

    /// <summary>Tells the agents members the run is over, so they drop its spec.</summary>
    public void Finish(ActorSystem system)
    {
        foreach (var member in Akka.Cluster.Cluster.Get(system).State.Members.Where(m => m.HasRole(ClusterRoles.Agents)))
        {
            system.ActorSelection(new RootActorPath(member.Address) / "user" / RunSpecHolder.Name).Tell(new ForgetRun(Run));
        }
    }
}
