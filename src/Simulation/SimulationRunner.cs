using V2V.Actors;
using V2V.Actors.Hooks;
using V2V.Actors.Supervision;
using V2V.Agents.Actors;
using V2V.Agents.Policies;
using V2V.Agents.Vehicles;
using V2V.Coordinator.Actors;
using V2V.Clearing;
using V2V.Coordinator.Ledger;
using V2V.Coordinator.Session;
using V2V.Learning;
using V2V.Learning.Actors;
using V2V.Market.Configuration;
using V2V.Market.Faults;
using V2V.Market.Training;
using V2V.Market.Vehicles;

namespace V2V.Simulation;

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
/// <para>
/// Failure policy, by failure kind (README "Running a simulation"):
/// an EV's <see cref="SimulatedCrashException"/> (a fault the plan injected) restarts the EV, which rebuilds its state
/// from the ledger; more than a crash loop's worth of restarts in one step stops it, recorded as lost. Any other
/// exception in an EV escalates through the facility to the coordinator. Any exception in the coordinator or the
/// facility (or escalated to them), and any in another top-level actor (the policy holder, a learner, the critic),
/// stops that actor, never restarts it, and the run ends with a <see cref="SimulationFailedException"/> naming the
/// step that was open and the cause; the ledger keeps what was written up to the failure, flushed. A restarted market
/// would open step 0 again over a ledger that already holds the run, which is why none is ever restarted.
/// </para>
/// <para>
/// Interruption: when <c>cancellation</c> is signalled the open step is finished and the run stops at its end, before
/// the next step opens, with a <see cref="SimulationInterruptedException"/>; the ledger then closes every step it holds.
/// </para>
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
        Func<ActorSystem, TrainingWiring>? training = null,
        IClearingMechanism? clearing = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(simulation);
        ArgumentNullException.ThrowIfNull(ledger);
        var faults = new FaultPlan(simulation.Faults, market.Seed);
        var latency = new MarketLatencyModel(simulation.Latency, market.Seed);
        var filter = new MarketFaultFilter(simulation.Faults, market.Seed);
        var f = simulation.Faults;
        var messageFaults = f.MessageDropProbability > 0 || f.MessageDuplicateProbability > 0 || f.MessageDelayProbability > 0;
        var trace = new SimulationTrace();
        var failures = new TopLevelFailures(trace);
        var system = ActorSystem.Create("v2v", new ActorSystemOptions
        {
            Dispatcher = DispatcherKind.VirtualTime,
            LatencyModel = latency.IsZero ? ZeroLatency.Instance : latency,
            DeliveryFilter = messageFaults ? filter : DeliverAll.Instance,
            GuardianStrategy = failures.Strategy,
        });

        var stepLength = TimeSpan.FromHours(market.Time.StepHours);
        var session = new MarketSession(market, clearing ?? ClearingMechanisms.Create(market.Clearing.Mechanism, market.Clearing), ledger);
        var learned = model is null ? null : PublishBeforeStepZero(system, model, failures);
        var wiring = training?.Invoke(system);
        var arrivals = new EvArrivalSource(
            market, faults, wiring?.PolicyFor ?? policyFor ?? (learned is null ? Policies.For(market.Policy) : _ => learned), wiring?.Learner);
        var evStrategy = new OneForOneStrategy(MaxRestartsPerStep, stepLength,
            e => e is SimulatedCrashException ? Directive.Restart : Directive.Escalate);
        var facilityProps = Props.Create(() => new FacilityActor(arrivals, evStrategy));
        system.ActorOf(
            Props.Create(() => new MarketCoordinatorActor(session, market, simulation.Protocol, facilityProps, trace, wiring?.Scorer, wiring?.Gate)),
            MarketMessages.Coordinator);

        var kernel = system.Kernel;
        var total = market.Time.TotalSteps;
        TimeSpan end;
        try
        {
            failures.ThrowIfAny();
            for (var t = 0; t < total; t++)
            {
                // Event by event until step t closes, so that a failure or an interruption is seen at once.
                while (trace.StepsClosed <= t && !failures.Any && kernel.Step())
                {
                }

                failures.ThrowIfAny();
                progress?.Invoke(trace.StepsClosed, total);
                if (trace.StepsClosed <= t)
                {
                    break; // idle before the step closed: reported below
                }

                if (t + 1 < total && cancellation.IsCancellationRequested)
                {
                    throw new SimulationInterruptedException(trace.StepsClosed);
                }
            }

            kernel.RunUntil(stepLength * total);
            kernel.RunUntilIdle();
            failures.ThrowIfAny();
            if (!trace.Finished)
            {
                throw new SimulationFailedException(trace.StepsClosed, "the simulation", new InvalidOperationException(
                    $"went idle after {trace.StepsClosed} of {total} steps without ending: a message the protocol waits for was lost"));
            }

            end = kernel.Now;
            wiring?.Finish();
            failures.ThrowIfAny();
        }
        catch (Exception e) when (e is not (SimulationFailedException or SimulationInterruptedException))
        {
            // Thrown by the kernel itself (a latency model, a delivery filter), outside any actor.
            throw new SimulationFailedException(trace.StepsClosed, "the actor runtime", e);
        }
        finally
        {
            ledger.Flush();
        }

        var delivered = kernel.ProcessedMessages;
        system.Terminate();
        return new SimulationResult(trace, session, arrivals.Vehicles, latency.IsSlow, delivered, system.DeadLetterCount,
            filter.Dropped, filter.Duplicated, filter.Delayed, end, learned?.Version);
    }

    // DESIGN step 6, receiving end: the node's policy holder applies published versions to the policy every EV of the
    // node bids with. The loaded model is one version, delivered (the kernel run until idle) before step 0 opens.
    private static VersionedPolicy PublishBeforeStepZero(ActorSystem system, PolicyModel model, TopLevelFailures failures)
    {
        var policy = model.NewVersionedPolicy();
        var holder = system.ActorOf(PolicyHolderActor.Props(policy), MarketMessages.PolicyHolder);
        holder.Tell(model.Publish(), ActorRefs.NoSender);
        system.Kernel.RunUntilIdle();
        failures.ThrowIfAny();
        if (policy.Version != PolicyModel.PublishedVersion)
        {
            throw new InvalidOperationException($"the policy holder did not take version {PolicyModel.PublishedVersion} of {model.File}");
        }

        return policy;
    }
}
