using Akka.Actor;
using V2V.Coordinator.Actors;
using V2V.Market.Configuration;

namespace V2V.Simulation.Cluster;

/// <summary>
/// A run over a cluster (`v2v run --cluster`, `--nodes`): the run's own member holds the coordinator and the ledger (role
/// market), the EVs are sharded over the members with the agents role. Before step 0 the run waits, bounded by the
/// join timeout, until it has joined and <paramref name="AgentsMembers"/> agents members are up, then sends each of them
/// the run's <see cref="RunSpec"/> and waits for every one's answer, so an EV can start on any of them. The same
/// configuration and seed give the same ledger as one process (docs/cluster.md).
/// </summary>
public sealed record ClusterRun(string Run, ClusterOptions Options, int AgentsMembers)
{
    /// <summary>Prepares the cluster for the run on <paramref name="system"/> (made with <see cref="ClusterOptions.ToAkkaConfig"/>).</summary>
    public IEvPlacement Prepare(ActorSystem system, MarketConfig market, SimulationConfig simulation, bool training, CancellationToken cancellation)
    {
        if (training || market.Policy.Kind is not ("truthful" or "markup"))
        {
            throw new ClusterUnavailableException(
                $"policy '{market.Policy.Kind}'{(training ? " with training" : "")} does not run on a cluster yet; the cluster runs the built-in policies (truthful, markup)");
        }

        var region = ClusterNode.Serve(system, Options);
        ClusterMembers.WaitUntilUp(system, Options.Seed, Options.JoinTimeout, cancellation);
        var members = ClusterMembers.WaitForRole(system, ClusterRoles.Agents, AgentsMembers, Options.Seed, Options.JoinTimeout, cancellation);
        if (simulation.Faults.NodeLoss is { } loss && loss.Nodes != AgentsMembers)
        {
            throw new ClusterUnavailableException(
                $"v2v.simulation.faults.node-loss.nodes is {loss.Nodes}, but the run has {AgentsMembers} agents members: virtual node k is agents member k");
        }

        EvSharding.AwaitRegions(region, AgentsMembers, Options.JoinTimeout, cancellation);
        var spec = new RunSpec(Run, market, simulation);
        foreach (var member in members)
        {
            var holder = system.ActorSelection(new RootActorPath(member.Address) / "user" / RunSpecHolder.Name);
            RunSpecStored stored;
            try
            {
                stored = holder.Ask<RunSpecStored>(spec, Options.JoinTimeout, cancellation).GetAwaiter().GetResult();
            }
            catch (AskTimeoutException)
            {
                throw new ClusterUnavailableException(
                    $"member {member.Address.Host}:{member.Address.Port} (role {ClusterRoles.Agents}) did not take run {Run} within {Options.JoinTimeout.TotalSeconds:0.#} s");
            }

            if (stored.Shards != Options.Shards)
            {
                throw new ClusterUnavailableException(
                    $"member {member.Address.Host}:{member.Address.Port} spreads EVs over {stored.Shards} shards, this run over {Options.Shards}: every member needs the same v2v.cluster.shards");
            }
        }

        return new ShardedPlacement(region, Run);
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
