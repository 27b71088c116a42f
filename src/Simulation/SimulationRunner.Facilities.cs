using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using V2V.Agents.Policies;
using V2V.Clearing;
using V2V.Coordinator.Actors;
using V2V.Coordinator.Ledger;
using V2V.Learning;
using V2V.Learning.Actors;
using V2V.Market.Configuration;
using V2V.Simulation.Cluster;
using V2V.Simulation.Facilities;

namespace V2V.Simulation;

/// <summary>
/// What a finished run of several facilities leaves besides their ledgers: each facility's result, in facility order,
/// and, per facility, the wall-clock duration of each of its steps (ms; a step runs from the previous step's close, or
/// the facility's start, to its own close), for the run's timing.
/// </summary>
public sealed record FacilitySetResult(IReadOnlyList<SimulationResult> Facilities, IReadOnlyList<IReadOnlyList<double>> StepWallMs);

public static partial class SimulationRunner
{
    /// <summary>
    /// Runs several facilities in one actor system, each its own market (its coordinator, which is the clock of that
    /// facility only, its arrivals, seeded network and fault plan, and <paramref name="ledgers"/>[k]), all stepping in
    /// parallel with no barrier between them. Facility k gives the ledger a one-facility <see cref="Run"/> of
    /// <c>facilities[k].Market</c> gives. A failure in any facility stops the whole run: the
    /// <see cref="SimulationFailedException"/> names the facility (<c>facility f001 failed at step 3: ...</c>) and its
    /// <see cref="SimulationFailedException.FacilitySteps"/> holds every facility's closed steps; so does that of the
    /// <see cref="SimulationInterruptedException"/> of a cancelled run, where each facility stops at the end of its own
    /// open step. <paramref name="progress"/> gets the steps closed over all facilities and their total.
    /// </summary>
    public static FacilitySetResult RunFacilities(
        IReadOnlyList<Facility> facilities,
        SimulationConfig simulation,
        IReadOnlyList<ILedgerSink> ledgers,
        Action<int, int>? progress = null,
        PolicyModel? model = null,
        Func<Facility, IClearingMechanism?>? clearing = null,
        CancellationToken cancellation = default,
        Config? akka = null,
        TimeSpan? stallCheck = null,
        ClusterRun? cluster = null)
    {
        ArgumentNullException.ThrowIfNull(facilities);
        ArgumentNullException.ThrowIfNull(simulation);
        ArgumentNullException.ThrowIfNull(ledgers);
        if (facilities.Count == 0 || ledgers.Count != facilities.Count)
        {
            throw new ArgumentException($"expected one ledger per facility and at least one facility, got {facilities.Count} facilities and {ledgers.Count} ledgers");
        }

        var n = facilities.Count;
        var timing = new StepClock[n];
        var monitors = new RunMonitor[n];
        var index = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (var k = 0; k < n; k++)
        {
            timing[k] = new StepClock(facilities[k].Market.Time.TotalSteps);
            monitors[k] = new RunMonitor(cancellation, timing[k].Closed);
            index.Add(facilities[k].Id, k);
        }

        SimulationFailedException? failure = null;
        var system = CreateSystem(akka, cluster);
        IActorRef? region = null;
        try
        {
            var (guardian, spawn) = StartGuardian(system, (name, cause) =>
            {
                // A coordinator is named by its facility's id; anything else (the policy holder) is the whole run's.
                var k = index.GetValueOrDefault(name, -1);
                var failed = k >= 0
                    ? new SimulationFailedException(monitors[k].StepsClosed, "facility " + name, cause)
                    : new SimulationFailedException(monitors.Min(m => m.StepsClosed), "the " + name, cause);
                Interlocked.CompareExchange(ref failure, failed, null);
                (k >= 0 ? monitors[k] : monitors[0]).Fail(failed);
            });

            IActorRef[] coordinators;
            var networks = new Network.SimulatedNetwork[n];
            VersionedPolicy? learned = null;
            long? publishedOnCluster = null;
            if (cluster is not null)
            {
                if (clearing is not null)
                {
                    throw new ClusterUnavailableException("a clearing mechanism given in code does not run on a cluster; the cluster runs the configured one");
                }

                // A learned policy's version is applied on every member that may hold EVs before any facility starts.
                region = cluster.PrepareFacilities(system, facilities, simulation, cancellation, model);
                publishedOnCluster = model is null ? null : PolicyModel.PublishedVersion;
                coordinators = StartOnCluster(cluster, region, guardian, facilities, ledgers, monitors, timing, networks, simulation, cancellation);
            }
            else
            {
                (learned, coordinators) = StartHere(spawn, guardian, facilities, simulation, ledgers, monitors, timing, networks, model, clearing);
            }

            var stall = new StallWatch(coordinators, monitors, [.. facilities.Select(f => "facility " + f.Id)], stallCheck ?? StallCheck);
            var traces = AwaitAll(monitors, progress, facilities.Sum(f => f.Market.Time.TotalSteps), stall, () => failure);
            var results = new SimulationResult[n];
            for (var k = 0; k < n; k++)
            {
                results[k] = new SimulationResult(traces[k], networks[k].IsSlow, learned?.Version ?? publishedOnCluster);
            }

            return new FacilitySetResult(results, [.. timing.Select(t => (IReadOnlyList<double>)[.. t.DurationsMs()])]);
        }
        catch (SimulationFailedException e)
        {
            // Counted once the system has stopped: until then the other facilities go on closing steps.
            Shutdown(system);
            throw new SimulationFailedException(e.Step, e.Failed, e.InnerException!) { FacilitySteps = StepsClosed(monitors) };
        }
        catch (SimulationInterruptedException)
        {
            Shutdown(system);
            var steps = StepsClosed(monitors);
            throw new SimulationInterruptedException(steps.Min()) { FacilitySteps = steps };
        }
        finally
        {
            if (region is not null)
            {
                cluster!.FinishFacilities(system, region, facilities);
            }

            Shutdown(system);
            foreach (var ledger in ledgers)
            {
                ledger.Flush();
            }
        }
    }

    // The facilities in this actor system; returns the loaded policy, if any, and the coordinators.
    private static (VersionedPolicy? Learned, IActorRef[] Coordinators) StartHere(
        Spawner spawn,
        IActorRef guardian,
        IReadOnlyList<Facility> facilities,
        SimulationConfig simulation,
        IReadOnlyList<ILedgerSink> ledgers,
        RunMonitor[] monitors,
        StepClock[] timing,
        Network.SimulatedNetwork[] networks,
        PolicyModel? model,
        Func<Facility, IClearingMechanism?>? clearing)
    {
        var n = facilities.Count;
        var learned = model is null ? null : PublishBeforeStepZero(spawn, model);
        // Every coordinator is asked for at once: one at a time, the last facility would start only after the first
        // ones had run a good part of the day, competing with them for the guardian's turn.
        var spawned = new Task<IActorRef>[n];
        for (var k = 0; k < n; k++)
        {
            var f = facilities[k];
            var policy = learned is null ? Policies.For(f.Market.Policy) : _ => learned;
            (var props, networks[k]) = Market(f.Market, simulation, ledgers[k], policy, null, clearing?.Invoke(f), monitors[k]);
            timing[k].Start();
            spawned[k] = guardian.Ask<IActorRef>(new Guardian.Spawn(props, f.Id), SpawnTimeout);
        }

        return (learned, Task.WhenAll(spawned).GetAwaiter().GetResult());
    }

    private static readonly TimeSpan SpawnTimeout = TimeSpan.FromMinutes(1);

    // Waits until every facility (one, for a plain run) has finished, or until one fails (then at once: the caller stops
    // the system).
    private static SimulationTrace[] AwaitAll(
        RunMonitor[] monitors, Action<int, int>? progress, int totalSteps, StallWatch stall, Func<SimulationFailedException?> failure)
    {
        var all = Task.WhenAll(monitors.Select(m => m.Outcome));
        int Closed() => monitors.Sum(m => m.StepsClosed);
        while (!((IAsyncResult)all).AsyncWaitHandle.WaitOne(TimeSpan.FromMilliseconds(250)))
        {
            progress?.Invoke(Closed(), totalSteps);
            if (failure() is not null || monitors.Any(m => m.Outcome.IsFaulted))
            {
                break;
            }

            stall.Check();
        }

        progress?.Invoke(Closed(), totalSteps);
        var failed = failure() ?? monitors.Select(m => m.Outcome.Exception?.InnerException).OfType<SimulationFailedException>().FirstOrDefault();
        if (failed is not null)
        {
            throw failed;
        }

        if (monitors.Any(m => m.Outcome.IsCanceled))
        {
            throw new SimulationInterruptedException(monitors.Min(m => m.StepsClosed));
        }

        return [.. monitors.Select(m => m.Outcome.GetAwaiter().GetResult())];
    }

    private static int[] StepsClosed(RunMonitor[] monitors) => [.. monitors.Select(m => m.StepsClosed)];

    // The wall-clock time at which a facility started and each of its steps closed; written by its coordinator's thread
    // only, read once the run is over.
    private sealed class StepClock(int totalSteps)
    {
        private readonly long[] closedAt = new long[totalSteps];
        private long startedAt;
        private int closed;

        public void Start() => startedAt = Stopwatch.GetTimestamp();

        public void Closed(int steps)
        {
            if (steps >= 1 && steps <= closedAt.Length)
            {
                closedAt[steps - 1] = Stopwatch.GetTimestamp();
                Volatile.Write(ref closed, steps);
            }
        }

        public IEnumerable<double> DurationsMs()
        {
            var previous = startedAt;
            for (var i = 0; i < Volatile.Read(ref closed); i++)
            {
                yield return Stopwatch.GetElapsedTime(previous, closedAt[i]).TotalMilliseconds;
                previous = closedAt[i];
            }
        }
    }
}
