using V2V.Actors;
using V2V.Actors.Hooks;
using V2V.Actors.Supervision;
using V2V.Agents.Actors;
using V2V.Agents.Policies;
using V2V.Agents.Vehicles;
using V2V.Coordinator.Actors;
using V2V.Coordinator.Clearing;
using V2V.Coordinator.Ledger;
using V2V.Coordinator.Session;
using V2V.Learning;
using V2V.Learning.Actors;
using V2V.Market.Configuration;
using V2V.Market.Faults;
using V2V.Market.Training;
using V2V.Market.Vehicles;

namespace V2V.Host.Simulation;

/// <summary>
/// What a finished actor simulation leaves besides its ledger. <paramref name="PolicyVersion"/> is the policy version
/// the EVs bid with at the end of a learned run (null for the built-in policies).
/// </summary>
public sealed record SimulationResult(
    SimulationTrace Trace,
    MarketSession Session,
    IReadOnlyDictionary<string, Vehicle> Vehicles,
    Func<string, bool> IsSlow,
    long MessagesDelivered,
    long DeadLetters,
    long MessagesDropped,
    long MessagesDuplicated,
    long MessagesDelayed,
    TimeSpan VirtualDuration,
    long? PolicyVersion = null);

/// <summary>
/// What training on the simulation plugs in (DESIGN steps 4 and 6): the coordinator's scorer and training gate, the
/// node's learner actor the EVs send transitions to, each EV's exploring policy, and what to do once the last EV has
/// left (flush the episode's last transitions), before the system stops.
/// </summary>
public sealed record TrainingWiring(IStepScorer Scorer, IActorRef Gate, IActorRef Learner, Func<Vehicle, IBiddingPolicy> PolicyFor, Action Finish);

/// <summary>
/// Runs the market of DESIGN "One market step" on the actor runtime in virtual time: builds the seeded latency model
/// and fault filter, the coordinator (which starts the facility, which starts the EVs), and drives the kernel step by
/// step until the last EV has left. Same configuration and seed, same ledger, byte for byte.
/// </summary>
public static class SimulationRunner
{
    // A crash is injected at most once per EV and step (twice if its opening was duplicated), so this many restarts
    // within one step can only mean a crash loop; the EV is then stopped and counted as lost.
    private const int MaxRestartsPerStep = 10;

    public static SimulationResult Run(
        MarketConfig market,
        SimulationConfig simulation,
        ILedgerSink ledger,
        Action<int, int>? progress = null,
        Func<Vehicle, IBiddingPolicy>? policyFor = null,
        PolicyModel? model = null,
        Func<ActorSystem, TrainingWiring>? training = null)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(simulation);
        ArgumentNullException.ThrowIfNull(ledger);
        var faults = new FaultPlan(simulation.Faults, market.Seed);
        var latency = new MarketLatencyModel(simulation.Latency, market.Seed);
        var filter = new MarketFaultFilter(simulation.Faults, market.Seed);
        var f = simulation.Faults;
        var messageFaults = f.MessageDropProbability > 0 || f.MessageDuplicateProbability > 0 || f.MessageDelayProbability > 0;
        var system = ActorSystem.Create("v2v", new ActorSystemOptions
        {
            Dispatcher = DispatcherKind.VirtualTime,
            LatencyModel = latency.IsZero ? ZeroLatency.Instance : latency,
            DeliveryFilter = messageFaults ? filter : DeliverAll.Instance,
        });

        var stepLength = TimeSpan.FromHours(market.Time.StepHours);
        var session = new MarketSession(market, ClearingMechanisms.Create(market.Clearing.Mechanism, market.Clearing), ledger);
        var learned = model is null ? null : PublishBeforeStepZero(system, model);
        var wiring = training?.Invoke(system);
        var arrivals = new EvArrivalSource(
            market, faults, wiring?.PolicyFor ?? policyFor ?? (learned is null ? Policies.For(market.Policy) : _ => learned), wiring?.Learner);
        var evStrategy = new OneForOneStrategy(MaxRestartsPerStep, stepLength,
            e => e is SimulatedCrashException ? Directive.Restart : Directive.Stop);
        var facilityProps = Props.Create(() => new FacilityActor(arrivals, evStrategy));
        var trace = new SimulationTrace();
        system.ActorOf(
            Props.Create(() => new MarketCoordinatorActor(session, market, simulation.Protocol, facilityProps, trace, wiring?.Scorer, wiring?.Gate)),
            MarketMessages.Coordinator);

        var kernel = system.Kernel;
        var total = market.Time.TotalSteps;
        for (var t = 0; t < total; t++)
        {
            kernel.RunUntil(stepLength * (t + 1));
            progress?.Invoke(trace.StepsClosed, total);
        }

        kernel.RunUntilIdle();
        var end = kernel.Now;
        if (!trace.Finished)
        {
            throw new InvalidOperationException(
                $"the simulation went idle after {trace.StepsClosed} of {total} steps without ending: a message the protocol waits for was lost");
        }

        wiring?.Finish();
        var delivered = kernel.ProcessedMessages;
        system.Terminate();
        ledger.Flush();
        return new SimulationResult(trace, session, arrivals.Vehicles, latency.IsSlow, delivered, system.DeadLetterCount,
            filter.Dropped, filter.Duplicated, filter.Delayed, end, learned?.Version);
    }

    // DESIGN step 6, receiving end: the node's policy holder applies published versions to the policy every EV of the
    // node bids with. The loaded model is one version, delivered (the kernel run until idle) before step 0 opens.
    private static VersionedPolicy PublishBeforeStepZero(ActorSystem system, PolicyModel model)
    {
        var policy = model.NewVersionedPolicy();
        var holder = system.ActorOf(PolicyHolderActor.Props(policy), MarketMessages.PolicyHolder);
        holder.Tell(model.Publish(), ActorRefs.NoSender);
        system.Kernel.RunUntilIdle();
        if (policy.Version != PolicyModel.PublishedVersion)
        {
            throw new InvalidOperationException($"the policy holder did not take version {PolicyModel.PublishedVersion} of {model.File}");
        }

        return policy;
    }
}
