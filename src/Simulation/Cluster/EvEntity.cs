using Akka.Actor;
using Akka.Cluster.Sharding;
using V2V.Agents.Actors;
using V2V.Agents.Vehicles;
using V2V.Coordinator.Actors;
using V2V.Market.Protocol;

namespace V2V.Simulation.Cluster;

/// <summary>
/// An EV as a cluster-sharded entity: a shell that is made empty by its shard region and becomes the EV on its first
/// message, <see cref="StartEv"/>, which carries the vehicle; the run's configuration comes from this member's
/// <see cref="RunRegistry"/>. The EV itself is the same <see cref="EvActor"/> as in one process, the shell's child, and
/// the shell supervises it the same way: a planned crash restarts it (it rebuilds its state from the ledger), anything
/// else is a bug, reported to the facility as <see cref="EvFailed"/>, which stops the run. The shell passes the EV's
/// notices (departure report, leaving for good) on to the facility, answers the start with <see cref="EvStarted"/> so
/// the facility watches it, and passivates on <see cref="RetireEv"/>. An EV of a facility that may resume elsewhere
/// leaves by <see cref="EvLeft"/> instead: its EV stops, and the shell waits, set aside, for the
/// <see cref="RetireEv"/> the facility's link sends once the departure is in the ledger.
/// <para>
/// The shell is also the EV's way to its coordinator: what the EV sends its market goes through the shell to the
/// coordinator the shell trades with now. So a facility that resumes on another member (docs/cluster.md, "A facility
/// whose member is lost") takes its EVs over by <see cref="ReattachEv"/>, for the step it resumes at:
/// </para>
/// <list type="bullet">
/// <item>an EV that has not seen that step's opening is in the state of the last close and goes on as it is: its own
/// state, to the bit, as in an undisturbed run (a scheduled loss happens at a step boundary, so every EV is so);</item>
/// <item>an EV that has (the lost coordinator opened the step, or later ones whose records never reached the run's
/// member) is replaced by a new EV in the ledger's state at that close, asked of the new coordinator, as after a crash:
/// what it did in the discarded steps is gone with the messages of its old EV;</item>
/// <item>an EV set aside (it left in a step the records do not hold) is made again in that state too;</item>
/// <item>an empty shell was never started on a member still up (its EV was on the lost member, and sharding made this
/// shell where the shard now lives): it answers <see cref="AgentLost"/> with the verdict "lost with node" and
/// passivates.</item>
/// </list>
/// A start from another facility than the one the EV trades with (a new incarnation starting the arrivals of a step the
/// lost one had begun) replaces the EV by a fresh one, so nothing a lost incarnation started trades on or is left behind.
/// </summary>
public sealed class EvEntity : ReceiveActor, IWithUnboundedStash
{
    private readonly SupervisorStrategy strategy;
    private IActorRef facility = ActorRefs.Nobody;
    private IActorRef coordinator = ActorRefs.Nobody;
    private IActorRef ev = ActorRefs.Nobody;
    private StartEv? start;
    private HostedRun? run;
    private int evs;

    // The last step whose opening reached the EV: its state is that of the close of any step from this one on, until
    // the next opening.
    private int opened = -1;

    // The EV asked its coordinator for its state after a crash and has had no answer yet.
    private bool recovering;

    // The EV's notice that it drops out, held until its answer to that opening has gone to the coordinator.
    private object? leaving;

    public EvEntity()
    {
        strategy = new Supervision(Decide);
        Receive<StartEv>(Start);

        // A facility resumed on another member looks for an EV of the member it lost: sharding made this shell anew.
        Receive<ReattachEv>(r =>
        {
            Sender.Tell(new AgentLost(r.Step, r.Agent, MarketCoordinatorActor.LostWithNode), Self);
            Passivate();
        });
        Receive<RetireEv>(_ => Passivate());
        Receive<EvLeft>(_ => Passivate());

        // Nothing else is ever sent before the start: the facility addresses only EVs it started or re-attached, in order.
        ReceiveAny(m => throw new InvalidOperationException($"{Self.Path.Name}: {m.GetType().Name} before StartEv"));
    }

    public IStash Stash { get; set; } = null!;

    public static Props Props() => Akka.Actor.Props.Create(() => new EvEntity());

    protected override SupervisorStrategy SupervisorStrategy() => strategy;

    private string Agent => start!.Agent;

    private void Start(StartEv first)
    {
        run = RunRegistry.For(Context.System).Find(first.Run);
        if (run is null)
        {
            Sender.Tell(new EvFailed(first.Agent, $"member {Akka.Cluster.Cluster.Get(Context.System).SelfAddress} was never told of run {first.Run}"), Self);
            return;
        }

        start = first;
        Trade(Sender, first.Market, restored: null);
        Become(Running);
    }

    private void Running()
    {
        Receive<StartEv>(again =>
        {
            // The facility asks again while it has not seen our EvStarted (lost, or slower than its retry).
            if (Sender.Equals(facility))
            {
                facility.Tell(new EvStarted(Agent), Self);
                return;
            }

            Context.Stop(ev);
            Trade(Sender, again.Market, restored: null);
        });
        Receive<ReattachEv>(Reattach);
        Receive<RetireEv>(_ => Passivate());
        Receive<EvLeft>(_ => SetAside());
        ReceiveAny(m =>
        {
            if (Sender.Equals(ev))
            {
                FromEv(m);
            }
            else if (!Sender.Path.Parent.Equals(Self.Path))
            {
                ToEv(m);
            }

            // Else the last words of an EV this shell replaced: dropped.
        });
    }

    // A new incarnation of the facility takes this EV over, at the close of the step before r.Step.
    private void Reattach(ReattachEv r)
    {
        var again = Sender.Equals(facility);
        facility = Sender;
        coordinator = r.Market;
        if (again || opened < r.Step)
        {
            // Its own state is the close's; a recovery the lost coordinator never answered is asked of the new one.
            if (recovering && !again)
            {
                coordinator.Tell(new RecoverState(Agent), Self);
            }

            facility.Tell(new EvStarted(Agent), Self);
            return;
        }

        Context.Stop(ev);
        Rebuild();
    }

    // The EV has left its facility (departed, dropped out): it trades no more, but stays set aside until its departure is
    // in the ledger on the run's member (whose link then retires it), for a facility that resumes from records without
    // that departure redoes its step with it.
    private void SetAside()
    {
        Context.Stop(ev);
        ev = ActorRefs.Nobody;
        Become(() =>
        {
            Receive<ReattachEv>(r =>
            {
                facility = Sender;
                coordinator = r.Market;
                Rebuild();
            });
            Receive<StartEv>(again =>
            {
                Trade(Sender, again.Market, restored: null);
                Become(Running);
            });
            Receive<RetireEv>(_ => Passivate());

            // What its coordinator still sent the EV it had (a late copy, a void).
            ReceiveAny(_ => { });
        });
    }

    // A new EV in the ledger's state at the close before the step the facility resumes at, asked of its coordinator as a
    // crashed EV asks: what the EV did after that close never reached the ledger.
    private void Rebuild()
    {
        ev = ActorRefs.Nobody;
        coordinator.Tell(new RecoverState(Agent), Self);
        Become(() =>
        {
            Receive<StateRecovered>(_ => Sender.Equals(coordinator), state =>
            {
                Trade(facility, coordinator, state);
                Become(Running);
                Stash.UnstashAll();
            });
            ReceiveAny(_ => Stash.Stash());
        });
    }

    // A new EV of the vehicle (as it arrived, or in the state restored), trading with market; by is told it started.
    private void Trade(IActorRef by, IActorRef market, StateRecovered? restored)
    {
        facility = by;
        coordinator = market;
        opened = -1;
        recovering = false;
        leaving = null;
        var hosted = run!;
        var vehicle = start!.Vehicle;
        Func<EvAgentState> newState = restored is null ? () => hosted.NewState(vehicle) : () => Restored(hosted.NewState(vehicle), restored);
        ev = Context.ActorOf(EvActor.Props(newState, hosted.Faults, Self, start.Silent, hosted.Training?.Learner), evs++ == 0 ? "ev" : $"ev-{evs}");
        facility.Tell(new EvStarted(Agent), Self);
    }

    private static EvAgentState Restored(EvAgentState state, StateRecovered restored)
    {
        state.Restore(restored);
        return state;
    }

    private void FromEv(object message)
    {
        switch (message)
        {
            case DepartureReport:
                facility.Tell(message, Self);
                break;
            case LeavingForGood:
                // The EV tells this before its answer to the opening it drops out at: were the facility told at once, its
                // EvLeft or RetireEv could come back before that answer is relayed, and the coordinator would wait for it.
                leaving = message;
                break;
            case OrderAnswer:
                coordinator.Tell(message, ev);
                if (leaving is not null)
                {
                    facility.Tell(leaving, Self);
                    leaving = null;
                }

                break;
            case RecoverState:
                // Answered to this shell, so a re-attach knows whether the answer came.
                recovering = true;
                coordinator.Tell(message, Self);
                break;
            default:
                coordinator.Tell(message, ev);
                break;
        }
    }

    private void ToEv(object message)
    {
        switch (message)
        {
            case StepOpened { Copy: 0 } o:
                opened = Math.Max(opened, o.Step);
                break;
            case StateRecovered:
                recovering = false;
                break;
        }

        ev.Forward(message);
    }

    private void Passivate() => Context.Parent.Tell(new Passivate(PoisonPill.Instance), Self);

    private Directive Decide(Exception cause)
    {
        if (cause is SimulatedCrashException)
        {
            return Directive.Restart;
        }

        facility.Tell(new EvFailed(Agent, $"{cause.GetType().Name}: {cause.Message.ReplaceLineEndings(" ")}"), Self);
        return Directive.Stop;
    }

    // As EvSupervision: restarts unlimited in wall-clock time, planned crashes not logged (the ledger records them).
    private sealed class Supervision(Func<Exception, Directive> decide) : OneForOneStrategy(-1, Timeout.InfiniteTimeSpan, decide)
    {
        protected override void LogFailure(IActorContext context, IActorRef child, Exception cause, Directive directive)
        {
            if (cause is not SimulatedCrashException)
            {
                base.LogFailure(context, child, cause, directive);
            }
        }
    }
}
