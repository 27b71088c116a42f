using Akka.Actor;
using Akka.Configuration;
using V2V.Agents.Actors;
using V2V.Agents.Policies;
using V2V.Agents.Vehicles;
using V2V.Clearing;
using V2V.Coordinator.Actors;
using V2V.Coordinator.Ledger;
using V2V.Learning;
using V2V.Learning.Actors;
using V2V.Market.Configuration;
using V2V.Market.Faults;
using V2V.Market.Training;
using V2V.Market.Vehicles;
using V2V.Simulation.Cluster;
using V2V.Simulation.Network;
using V2V.Simulation.Serialization;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Simulation;

/// <summary>
/// What a finished actor simulation leaves besides its ledger. <paramref name="PolicyVersion"/> is the policy version
/// the EVs bid with at the end of a learned run (null for the built-in policies).
/// </summary>
public sealed record SimulationResult(
    SimulationTrace Trace,
    Func<string, bool> IsSlow,
    long? PolicyVersion = null)
{
    public long MessagesDelivered => Trace.Messages;

    public long MessagesDropped => Trace.MessagesDropped;

    public long MessagesDuplicated => Trace.MessagesDuplicated;

    public long MessagesDelayed => Trace.MessagesDelayed;

    public TimeSpan VirtualDuration => Trace.Duration;
}

/// <summary>Starts a top-level actor of the run (under its <see cref="Guardian"/>) and returns it.</summary>
public delegate IActorRef Spawner(Props props, string name);

/// <summary>
/// What training on the simulation plugs in: how the coordinator makes its scorer, its training gate, the
/// node's learner actor the EVs send transitions to, each EV's exploring policy, and what to do once the last EV has
/// left (flush the episode's last transitions), before the system stops. The run waits for <c>Finish</c>'s task or for
/// a failure of one of its actors, whichever comes first, so a critic that fails while finishing ends the run at once.
/// </summary>
public sealed record TrainingWiring(Func<IStepScorer> NewScorer, IActorRef Gate, IActorRef Learner, Func<Vehicle, IBiddingPolicy> PolicyFor, Func<Task> Finish);

/// <summary>
/// Runs the market of DESIGN "One market step" on Akka.NET in simulated time: the coordinator (which starts the
/// facility, which starts the EVs) under a <see cref="Guardian"/>, the seeded <see cref="SimulatedNetwork"/> and fault
/// plan, until the last EV has left. Reproducible by protocol, not by dispatcher: same configuration and seed, same
/// ledger, byte for byte, whatever the thread pool does.
/// <para>
/// Failure policy: a planned EV crash restarts the EV, which rebuilds its state from the ledger. Any other exception in
/// an EV escalates through the facility to the coordinator; a planned coordinator restart resumes from the ledger at the
/// step where it stopped; any other exception in the coordinator, the facility or another
/// top-level actor (the policy holder, a learner, the critic) stops it, never restarts it, and the run ends with a
/// <see cref="SimulationFailedException"/> naming the step that was open and the cause; the ledger keeps what was
/// written up to the failure, flushed.
/// </para>
/// <para>
/// Interruption: when <c>cancellation</c> is signalled the open step is finished and the run stops at its end, before
/// the next step opens, with a <see cref="SimulationInterruptedException"/>.
/// </para>
/// </summary>
public static partial class SimulationRunner
{
    /// <summary>The coordinator's actor name (failures are reported as "the market").</summary>
    public const string Coordinator = "market";

    public static SimulationResult Run(
        MarketConfig market,
        SimulationConfig simulation,
        ILedgerSink ledger,
        Action<int, int>? progress = null,
        Func<Vehicle, IBiddingPolicy>? policyFor = null,
        PolicyModel? model = null,
        Func<Spawner, TrainingWiring>? training = null,
        IClearingMechanism? clearing = null,
        CancellationToken cancellation = default,
        Config? akka = null,
        TimeSpan? stallCheck = null,
        ClusterRun? cluster = null)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(simulation);
        ArgumentNullException.ThrowIfNull(ledger);
        var monitor = new RunMonitor(cancellation);
        SimulationFailedException? failure = null;
        var failedSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A member kept across runs (a training's episodes) is the caller's: only this run's actors stop at its end.
        var kept = cluster?.Member;
        var system = kept ?? CreateSystem(akka, cluster);
        IActorRef? guardian = null;
        try
        {
            (guardian, var spawn) = StartGuardian(system, (name, cause) =>
            {
                var failed = new SimulationFailedException(monitor.StepsClosed, "the " + name, cause);
                Interlocked.CompareExchange(ref failure, failed, null);
                monitor.Fail(failed);
                failedSignal.TrySetResult();
            }, kept is null ? "run" : Uri.EscapeDataString(cluster!.Run));

            // On a cluster the EVs are sharded entities, made on their members from the run's spec (docs/cluster.md).
            var placement = cluster?.Prepare(system, market, simulation, cancellation, model) ?? (IEvPlacement)LocalPlacement.Instance;
            var learned = model is null ? null : PublishBeforeStepZero(spawn, model);
            var wiring = training?.Invoke(spawn);
            var policy = wiring?.PolicyFor ?? policyFor ?? (learned is null ? Policies.For(market.Policy) : _ => learned);
            var (props, network) = Market(
                market, simulation, ledger, policy, wiring?.Learner, clearing, monitor, wiring?.NewScorer, wiring?.Gate, placement, cluster?.Run);
            var coordinator = spawn(props, Coordinator);

            var stall = new StallWatch([coordinator], [monitor], ["the market"], stallCheck ?? (cluster is null ? StallCheck : NodeLossTiming.StallCheck(system, StallCheck)));
            var trace = AwaitAll([monitor], progress, market.Time.TotalSteps, stall, () => failure)[0];
            var finishing = wiring?.Finish() ?? Task.CompletedTask;
            Task.WaitAny(finishing, failedSignal.Task);
            cluster?.Finish(system);
            if (failure is not null)
            {
                throw failure;
            }

            finishing.GetAwaiter().GetResult();

            return new SimulationResult(trace, network.IsSlow, learned?.Version);
        }
        finally
        {
            if (kept is null)
            {
                Shutdown(system);
            }
            else if (guardian is not null)
            {
                StopRun(guardian);
            }

            ledger.Flush();
        }
    }

    private static ActorSystem CreateSystem(Config? akka, ClusterRun? cluster = null) =>
        ActorSystem.Create("v2v", ClusterRun.Settings(cluster, akka ?? Config.Empty).WithFallback(ProtocolSerialization.Config()).WithFallback(ActorSystems.Quiet));

    // The run's Guardian (named "run" in an actor system of the run's own), and how to start a top-level actor under it.
    private static (IActorRef Guardian, Spawner Spawn) StartGuardian(ActorSystem system, Action<string, Exception> onFailure, string guardianName = "run")
    {
        var guardian = system.ActorOf(Guardian.Props(onFailure), guardianName);
        return (guardian, (props, name) => Guardian.SpawnUnder(guardian, props, name));
    }

    // One facility's market: its seeded network and fault plan, its arrivals, and the props of its coordinator (which
    // starts the facility, which starts the EVs).
    internal static (Props Coordinator, SimulatedNetwork Network) Market(
        MarketConfig market,
        SimulationConfig simulation,
        ILedgerSink ledger,
        Func<Vehicle, IBiddingPolicy> policy,
        IActorRef? learner,
        IClearingMechanism? clearing,
        RunMonitor monitor,
        Func<IStepScorer>? newScorer = null,
        IActorRef? gate = null,
        IEvPlacement? placement = null,
        string? runId = null,
        LedgerFile? resumeFrom = null)
    {
        var network = new SimulatedNetwork(simulation.Latency, simulation.Faults, market.Seed);
        var faults = new FaultPlan(simulation.Faults, market.Seed);
        var facility = FacilityActor.Props(
            () => new EvArrivalSource(market, faults, policy, learner, runId), new EvSupervision(), placement ?? LocalPlacement.Instance);
        Func<IClearingMechanism> mechanism = clearing is null
            ? () => ClearingMechanisms.Create(market.Clearing.Mechanism, market.Clearing)
            : () => clearing;
        var props = MarketCoordinatorActor.Props(new CoordinatorPlan(
            market, simulation.Protocol, network, mechanism, ledger, facility, monitor, newScorer, gate, simulation.Clock,
            new CoordinatorRestartPlan(simulation.Faults, market.Seed), simulation.Faults.NodeLoss, resumeFrom));
        return (props, network);
    }

    // An actor stuck in user code (a policy that never returns) cannot stop: the run has already failed, so the process
    // does not wait for it for ever.
    private static void Shutdown(ActorSystem system) => system.Terminate().Wait(ShutdownPatience);

    // On a member kept across runs: the run's actors stop with their Guardian, the member stays (as long as Shutdown, no longer).
    private static void StopRun(IActorRef guardian) => Task.WaitAny([guardian.GracefulStop(ShutdownPatience)], ShutdownPatience);

    // How often a waiting run asks the coordinator what it waits for (the stallCheck parameter overrides it).
    private static readonly TimeSpan StallCheck = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ShutdownPatience = TimeSpan.FromSeconds(10);

    // DESIGN step 6, receiving end: the node's policy holder applies the loaded model's one version to the policy every
    // EV of the node bids with, and answers only then: step 0 opens after that answer.
    private static VersionedPolicy PublishBeforeStepZero(Spawner spawn, PolicyModel model)
    {
        var policy = model.NewVersionedPolicy();
        var holder = spawn(PolicyHolderActor.Props(policy), "policy");
        var applied = holder.Ask<PolicyApplied>(model.Publish(), TimeSpan.FromMinutes(1)).GetAwaiter().GetResult();
        if (applied.Version != PolicyModel.PublishedVersion || policy.Version != PolicyModel.PublishedVersion)
        {
            throw new InvalidOperationException($"the policy holder did not take version {PolicyModel.PublishedVersion} of {model.File}");
        }

        return policy;
    }
}
