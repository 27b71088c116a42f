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
/// What training on the simulation plugs in (DESIGN steps 4 and 6): the coordinator's scorer and training gate, the
/// node's learner actor the EVs send transitions to, each EV's exploring policy, and what to do once the last EV has
/// left (flush the episode's last transitions), before the system stops.
/// </summary>
public sealed record TrainingWiring(IStepScorer Scorer, IActorRef Gate, IActorRef Learner, Func<Vehicle, IBiddingPolicy> PolicyFor, Action Finish);

/// <summary>
/// Runs the market of DESIGN "One market step" on Akka.NET in simulated time: the coordinator (which starts the
/// facility, which starts the EVs) under a <see cref="Guardian"/>, the seeded <see cref="SimulatedNetwork"/> and fault
/// plan, until the last EV has left. Reproducible by protocol, not by dispatcher: same configuration and seed, same
/// ledger, byte for byte, whatever the thread pool does.
/// <para>
/// Failure policy: a planned EV crash restarts the EV, which rebuilds its state from the ledger. Any other exception in
/// an EV escalates through the facility to the coordinator; any exception in the coordinator, the facility or another
/// top-level actor (the policy holder, a learner, the critic) stops it, never restarts it, and the run ends with a
/// <see cref="SimulationFailedException"/> naming the step that was open and the cause; the ledger keeps what was
/// written up to the failure, flushed.
/// </para>
/// <para>
/// Interruption: when <c>cancellation</c> is signalled the open step is finished and the run stops at its end, before
/// the next step opens, with a <see cref="SimulationInterruptedException"/>.
/// </para>
/// </summary>
public static class SimulationRunner
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
        var network = new SimulatedNetwork(simulation.Latency, simulation.Faults, market.Seed);
        var faults = new FaultPlan(simulation.Faults, market.Seed);
        var monitor = new RunMonitor(cancellation);
        SimulationFailedException? failure = null;
        var system = ActorSystem.Create("v2v", ClusterRun.Settings(cluster, akka ?? Config.Empty).WithFallback(ProtocolSerialization.Config()).WithFallback(ActorSystems.Quiet));
        try
        {
            var guardian = system.ActorOf(Guardian.Props((name, cause) =>
            {
                var failed = new SimulationFailedException(monitor.StepsClosed, "the " + name, cause);
                Interlocked.CompareExchange(ref failure, failed, null);
                monitor.Fail(failed);
            }), "run");
            IActorRef Spawn(Props props, string name) => Guardian.SpawnUnder(guardian, props, name);

            // On a cluster the EVs are sharded entities, made on their members from the run's spec (docs/cluster.md).
            var placement = cluster?.Prepare(system, market, simulation, training is not null, cancellation) ?? (IEvPlacement)LocalPlacement.Instance;
            var learned = model is null ? null : PublishBeforeStepZero(Spawn, model);
            var wiring = training?.Invoke(Spawn);
            var policy = wiring?.PolicyFor ?? policyFor ?? (learned is null ? Policies.For(market.Policy) : _ => learned);
            var learner = wiring?.Learner;
            var facility = FacilityActor.Props(() => new EvArrivalSource(market, faults, policy, learner, cluster?.Run), new EvSupervision(), placement);
            Func<IClearingMechanism> mechanism = clearing is null
                ? () => ClearingMechanisms.Create(market.Clearing.Mechanism, market.Clearing)
                : () => clearing;
            var coordinator = Spawn(MarketCoordinatorActor.Props(new CoordinatorPlan(
                market, simulation.Protocol, network, mechanism, ledger, facility, monitor, wiring?.Scorer, wiring?.Gate)), Coordinator);

            var trace = Await(monitor, coordinator, progress, market.Time.TotalSteps, stallCheck ?? StallCheck);
            wiring?.Finish();
            cluster?.Finish(system);
            if (failure is not null)
            {
                throw failure;
            }

            return new SimulationResult(trace, network.IsSlow, learned?.Version);
        }
        finally
        {
            // An actor stuck in user code (a policy that never returns) cannot stop: the run has already failed, so the
            // process does not wait for it for ever.
            system.Terminate().Wait(ShutdownPatience);
            ledger.Flush();
        }
    }

    private static SimulationTrace Await(RunMonitor monitor, IActorRef coordinator, Action<int, int>? progress, int totalSteps, TimeSpan stallCheck)
    {
        var outcome = monitor.Outcome;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        MarketCoordinatorActor.WaitDescribed? last = null;
        while (!((IAsyncResult)outcome).AsyncWaitHandle.WaitOne(TimeSpan.FromMilliseconds(250)))
        {
            progress?.Invoke(monitor.StepsClosed, totalSteps);
            if (watch.Elapsed > stallCheck)
            {
                watch.Restart();
                last = CheckStalled(coordinator, last, monitor);
            }
        }

        progress?.Invoke(monitor.StepsClosed, totalSteps);
        if (outcome.IsCanceled)
        {
            throw new SimulationInterruptedException(monitor.StepsClosed);
        }

        return outcome.GetAwaiter().GetResult();
    }

    // How often a waiting run asks the coordinator what it waits for (the stallCheck parameter overrides it).
    private static readonly TimeSpan StallCheck = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ShutdownPatience = TimeSpan.FromSeconds(10);

    // A barrier that waits for the same answers, with no message in between, across two checks 30 s apart is stuck (every
    // answer it waits for is a reply an actor sends at once, with no wall-clock work in between): a lost answer
    // would hang the run for ever, so it fails loudly, naming what it waited for. (A long clearing keeps the coordinator
    // busy: it then does not answer, and nothing is concluded.)
    private static MarketCoordinatorActor.WaitDescribed? CheckStalled(IActorRef coordinator, MarketCoordinatorActor.WaitDescribed? last, RunMonitor monitor)
    {
        MarketCoordinatorActor.WaitDescribed now;
        try
        {
            now = coordinator.Ask<MarketCoordinatorActor.WaitDescribed>(MarketCoordinatorActor.DescribeWait.Instance, TimeSpan.FromSeconds(2))
                .GetAwaiter().GetResult();
        }
        catch (AskTimeoutException)
        {
            return null;
        }

        // The training gate may train for a long time between two messages: waiting for it is not a stall.
        if (last is not null && now.Phase != "Gate" && now.Messages == last.Messages && now.Step == last.Step && now.Phase == last.Phase)
        {
            monitor.Fail(new SimulationFailedException(monitor.StepsClosed, "the market", new InvalidOperationException(
                $"stalled in step {now.Step}, phase {now.Phase}: no answer from {string.Join(", ", now.Awaiting.Take(10))}")));
        }

        return now;
    }

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
