using Akka.Actor;
using V2V.Agents.Vehicles;
using V2V.Market.Faults;
using V2V.Market.Protocol;

namespace V2V.Agents.Actors;

/// <summary>
/// The EV actor: a thin shell over <see cref="EvAgentState"/> (DESIGN "One market step", steps 2-5). It answers every
/// message of a phase barrier exactly once: an opening with its order (or none) and the fault its plan injects, a
/// proposal with its acceptance, a commit with its acknowledgement (applying the trade once, by id), a score with its
/// receipt. Duplicates the network made (<c>Copy</c> &gt; 0) and stale openings are dropped without an answer. Its
/// <see cref="FaultPlan"/> may make it crash (its supervisor restarts it and it rebuilds its state from the ledger
/// before it handles anything else), drop out for good, or stay silent. A fresh <see cref="EvAgentState"/> is made on
/// every restart, so nothing survives a crash but the ledger. When training (a learner is given, DESIGN step 6), its
/// scored steps become transitions for its node's learner (<see cref="TransitionChain"/>); however the instance stops,
/// its pending transition is sent once, as terminal.
/// </summary>
public sealed class EvActor : ReceiveActor, IWithUnboundedStash
{
    private readonly EvAgentState state;
    private readonly FaultPlan faults;
    private readonly IActorRef market;
    private readonly bool silent;
    private readonly IActorRef? learner;
    private readonly TransitionChain? chain;
    private int lastOpenedStep = -1;
    private int crashOnCommitStep = -1;

    // Between a restart and the state it rebuilds from: this instance's state is not valid yet.
    private bool recovering;

    public EvActor(Func<EvAgentState> newState, FaultPlan faults, IActorRef market, bool silent, IActorRef? learner)
    {
        state = newState();
        this.faults = faults;
        this.market = market;
        this.silent = silent;
        this.learner = learner;
        chain = learner is null ? null : new TransitionChain();
        Trading();
    }

    public IStash Stash { get; set; } = null!;

    private string Id => state.Vehicle.Id;

    /// <summary>
    /// The EV's props: every incarnation (the first and each restart) gets a fresh state from <paramref name="newState"/>,
    /// built from the vehicle's arrival facts only.
    /// </summary>
    // Props from the constructor's arguments, not from an expression: Akka would evaluate newState() once, when the
    // props are made, and every incarnation would share that one state object.
    public static Props Props(Func<EvAgentState> newState, FaultPlan faults, IActorRef market, bool silent, IActorRef? learner) =>
        Akka.Actor.Props.Create(typeof(EvActor), newState, faults, market, silent, learner);

    // Every planned end (departure, dropout, crash) ends the chain before the EV answers, so its terminal transition is
    // in the learner's mailbox before the coordinator can move on: the critic then stores it at the same step boundary
    // whatever the threads do. This catches any other stop (an unplanned failure ends the run anyway).
    protected override void PostStop() => EndChain();

    // A coordinator restart (Akka restarts the coordinator's facility and its EVs with it) is not this EV's failure: it
    // hands its own state, to the bit, to its next instance, as an EV on another member would simply keep it.
    protected override void PreRestart(Exception reason, object message)
    {
        if (reason is PlannedCoordinatorRestart && !recovering)
        {
            Self.Tell(new StateRecovered(Id, state.Soc, state.CashAud, [.. state.AppliedTrades]), Self);
        }

        base.PreRestart(reason, message);
    }

    protected override void PostRestart(Exception reason)
    {
        recovering = true;
        Become(Recovering);
        if (reason is not PlannedCoordinatorRestart)
        {
            market.Tell(new RecoverState(Id), Self);
        }
    }

    private void Trading()
    {
        Receive<StepOpened>(OnOpened);
        Receive<FillProposed>(p =>
        {
            if (p.Copy == 0)
            {
                market.Tell(new FillAccepted(p.Fill.Step, p.Fill.TradeId, Id, p.ArrivedMs), Self);
            }
        });
        Receive<FillCommitted>(OnCommitted);
        Receive<OrderRefused>(r => Emit(chain?.Refused(r.Step)));
        Receive<FillVoided>(_ => { });
        Receive<StepScored>(s =>
        {
            Emit(chain?.Score(s));
            market.Tell(new ScoreTaken(s.Step, Id), Self);
        });
        Receive<Depart>(d =>
        {
            EndChain();
            Context.Parent.Tell(new DepartureReport(d.Step, Id, state.Soc, state.CashAud), Self);
        });
    }

    // After a restart nothing is handled until the ledger's view of this EV is back: the state is not valid before.
    private void Recovering()
    {
        Receive<StateRecovered>(r =>
        {
            recovering = false;
            state.Restore(r);
            Become(Trading);
            Stash.UnstashAll();
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void OnOpened(StepOpened opened)
    {
        // A duplicate or stale opening is not a new step; a silent EV never answers.
        if (opened.Copy > 0 || opened.Step <= lastOpenedStep || silent)
        {
            return;
        }

        lastOpenedStep = opened.Step;
        var dropout = faults.Dropout(Id, opened.Step);
        if (dropout == DropoutPhase.OnOpen)
        {
            LeaveForGood();
            Answer(opened, null, EvFault.DropoutOnOpen);
            return;
        }

        var order = state.DecideOrder(opened);
        Emit(chain?.Opened(opened.Step, order is not null, state.LastPolicyVersion));
        var crash = faults.Crashes(Id, opened.Step);
        var fault = crash && order is null ? EvFault.Crash
            : dropout == DropoutPhase.AfterOrder ? EvFault.DropoutAfterOrder
            : dropout == DropoutPhase.AfterClearing ? EvFault.DropoutAfterClearing
            : EvFault.None;
        // The facility hears of a dropout before the coordinator does (the coordinator also lists it at the next step).
        if (fault is EvFault.DropoutAfterOrder or EvFault.DropoutAfterClearing)
        {
            LeaveForGood();
        }
        else if (fault == EvFault.Crash)
        {
            EndChain();
        }

        Answer(opened, order, fault);

        // With an order, the crash waits for the step's first commit: the worst moment, the ledger has it, we do not.
        crashOnCommitStep = crash && order is not null ? opened.Step : -1;
        if (fault == EvFault.Crash)
        {
            throw PlannedCrash(opened.Step);
        }
    }

    private void Answer(StepOpened opened, SubmitOrder? order, EvFault fault) =>
        market.Tell(new OrderAnswer(opened.Step, Id, opened.ArrivedMs, order, fault), Self);

    private void OnCommitted(FillCommitted commit)
    {
        if (commit.Copy > 0)
        {
            return;
        }

        var fill = commit.Fill;
        if (crashOnCommitStep == fill.Step)
        {
            crashOnCommitStep = -1;
            EndChain();
            market.Tell(new CommitAnswer(fill.Step, fill.TradeId, Id, commit.Attempt, commit.ArrivedMs, Crashed: true), Self);
            throw PlannedCrash(fill.Step);
        }

        state.Apply(fill);
        market.Tell(new CommitAnswer(fill.Step, fill.TradeId, Id, commit.Attempt, commit.ArrivedMs, Crashed: false), Self);
    }

    private SimulatedCrashException PlannedCrash(int step) => new($"{Id}: planned crash at step {step}");

    private void EndChain() => Emit(chain?.End());

    private void Emit(TransitionObserved? transition)
    {
        if (transition is not null)
        {
            learner!.Tell(transition, Self);
        }
    }

    // The coordinator has the fault report; the facility stops this EV, so that its end is not taken for a loss.
    private void LeaveForGood()
    {
        EndChain();
        Context.Parent.Tell(new LeavingForGood(Id), Self);
        Become(() => ReceiveAny(_ => { }));
    }
}

/// <summary>A crash the fault plan injected; supervisors restart on it.</summary>
public sealed class SimulatedCrashException(string message) : Exception(message);
