using Akka.Actor;
using V2V.Learning.Actors;
using V2V.Simulation.Serialization;

namespace V2V.Simulation.Cluster;

/// <summary>
/// A cluster member (`v2v node`, and the member a run starts for itself): its actor system, the keeper of run specs
/// (<see cref="RunSpecHolder"/>) and its side of training (<see cref="ClusterTrainingMember"/>), with the agents role the
/// EV shard region, with the market role the facility shard region, and with the learning role a place for the critic
/// singleton (<see cref="CriticSingleton"/>). It hosts the EVs and facilities of any run that announces itself and holds no run state of its own.
/// </summary>
public static class ClusterNode
{
    /// <summary>Starts the member's actor system with <paramref name="akka"/> over the cluster settings and our serializer.</summary>
    public static ActorSystem Create(ClusterOptions options, Akka.Configuration.Config? akka = null)
    {
        var system = ActorSystem.Create(ClusterOptions.SystemName, options.ToAkkaConfig()
            .WithFallback(akka ?? Akka.Configuration.Config.Empty)
            .WithFallback(ProtocolSerialization.Config())
            .WithFallback(ActorSystems.Quiet));
        Serve(system, options);
        return system;
    }

    /// <summary>
    /// The member's services, the facility shard region on a member with the market role among them; returns its way to
    /// the EV entities (the region, or a proxy without the agents role).
    /// </summary>
    public static IActorRef Serve(ActorSystem system, ClusterOptions options)
    {
        system.ActorOf(RunSpecHolder.Props(options.Shards), RunSpecHolder.Name);
        system.ActorOf(ClusterTrainingMember.Props(), ClusterTrainingMember.Name);
        if (options.Roles.Contains(ClusterRoles.Learning))
        {
            CriticSingleton.Start(system);
        }

        FacilitySharding.Region(system, options.Shards);
        return EvSharding.Region(system, options.Shards);
    }

    /// <summary>
    /// `v2v node`: starts a member, waits (bounded) until it has joined, reports it through <paramref name="joined"/>,
    /// and stays up until <paramref name="stop"/> is signalled or the cluster removes it; then leaves the cluster.
    /// Throws <see cref="ClusterUnavailableException"/> when the seed cannot be reached in time.
    /// </summary>
    public static void Run(ClusterOptions options, Akka.Configuration.Config? akka, Action<string> joined, CancellationToken stop)
    {
        var system = Create(options, akka);
        try
        {
            ClusterMembers.WaitUntilUp(system, options.Seed, options.JoinTimeout, stop);
            var self = Akka.Cluster.Cluster.Get(system).SelfAddress;
            joined($"joined the cluster at seed {options.Seed} as {self.Host}:{self.Port} with roles {string.Join(",", options.Roles)}");
            WaitHandle.WaitAny([stop.WaitHandle, ((IAsyncResult)system.WhenTerminated).AsyncWaitHandle]);
        }
        catch (OperationCanceledException)
        {
            // Stopped before it had joined: nothing to leave.
        }
        finally
        {
            // Leaves the cluster (coordinated shutdown) before the system stops, so the others do not wait to detect it.
            CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance).Wait(options.JoinTimeout);
        }
    }
}
