using Akka.Actor;
using V2V.Coordinator.Actors;
using V2V.Coordinator.Ledger;
using V2V.Learning.Actors;
using V2V.Market.Configuration;
using V2V.Simulation.Cluster;
using V2V.Simulation.Facilities;

namespace V2V.Simulation;

public static partial class SimulationRunner
{
    /// <summary>
    /// Starts the facilities of a run as entities of the facility shard region (members with the market role, this one
    /// included), each reporting to its <see cref="FacilityLink"/> here, a child of the run's Guardian named by the
    /// facility's id (so a failure of one is that facility's). Returns the links, which answer the stall check for their
    /// coordinators. Once every facility has confirmed its start, a cancellation asks each to stop at the end of its
    /// open step. The simulated networks are made here too, for the results: a network is a pure function of its seed.
    /// </summary>
    private static IActorRef[] StartOnCluster(
        ClusterRun cluster,
        IActorRef region,
        IActorRef guardian,
        IReadOnlyList<Facility> facilities,
        IReadOnlyList<ILedgerSink> ledgers,
        RunMonitor[] monitors,
        StepClock[] timing,
        Network.SimulatedNetwork[] networks,
        SimulationConfig simulation,
        CancellationToken cancellation)
    {
        var n = facilities.Count;
        var links = new IActorRef[n];
        var entities = new string[n];
        var started = new Task<FacilityStarted>[n];
        var nodeLoss = simulation.Faults.NodeLoss is null ? ActorRefs.Nobody : Guardian.SpawnUnder(guardian, FacilityNodeLoss.Props(n), FacilityNodeLoss.Name);
        for (var k = 0; k < n; k++)
        {
            var f = facilities[k];
            entities[k] = FacilitySharding.EntityOf(cluster.Run, f.Id);
            networks[k] = new Network.SimulatedNetwork(simulation.Latency, simulation.Faults, f.Market.Seed);
            links[k] = Guardian.SpawnUnder(guardian, FacilityLink.Props(entities[k], ledgers[k], monitors[k], region, cluster.EvsWithFacility, nodeLoss), f.Id);
            timing[k].Start();
            started[k] = region.Ask<FacilityStarted>(
                FacilitySharding.Envelope(entities[k], new StartFacility(entities[k], links[k], cluster.EvsWithFacility)), TimeSpan.FromDays(1));
        }

        // Each facility's start allocates its shard (a distributed-data write on a loaded machine may take seconds), so
        // the wait is bounded by progress: it fails only when no facility has started within the join timeout. A
        // facility that failed to start (its link has failed the run) is not waited for: the run stops at once.
        var pending = Enumerable.Range(0, n).ToList();
        while (pending.Count > 0)
        {
            var waits = pending.Select(k => (Task)started[k]).Concat(pending.Select(k => monitors[k].Outcome)).ToArray();
            if (Task.WaitAny(waits, cluster.Options.JoinTimeout) < 0)
            {
                throw new ClusterUnavailableException(
                    $"{pending.Count} facilities (first {facilities[pending[0]].Id}) did not start on a member with role {ClusterRoles.Market}: none started within {cluster.Options.JoinTimeout.TotalSeconds:0.#} s");
            }

            if (pending.Any(k => monitors[k].Outcome.IsCompleted))
            {
                break;
            }

            pending.RemoveAll(k => started[k].IsCompleted);
        }

        // Registered once all have started (a cancellation already signalled runs it at once).
        cancellation.Register(() =>
        {
            foreach (var entity in entities)
            {
                region.Tell(FacilitySharding.Envelope(entity, new StopFacility(entity)));
            }
        });
        return links;
    }
}
