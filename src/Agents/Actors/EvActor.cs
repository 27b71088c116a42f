using V2V.Actors;
using V2V.Agents.Vehicles;
using V2V.Market.Faults;
using V2V.Market.Protocol;

namespace V2V.Agents.Actors;

/// <summary>
/// The EV actor: a thin shell over <see cref="EvAgentState"/> (DESIGN "One market step", steps 2-5). It orders when a
/// step opens, accepts its fills, applies each commit once (by trade id) and acknowledges it, and on
/// <see cref="Depart"/> reports its final state to the coordinator and stops. Its <see cref="FaultPlan"/> may make it
/// crash (its supervisor restarts it and it rebuilds its state from the ledger), drop out for good at one phase of a
/// step, or stay silent. A fresh instance is made on every restart, so nothing survives a crash but the ledger.
/// When training (a learner is given, DESIGN step 6), its scored steps become transitions for its node's learner
/// (<see cref="TransitionChain"/>); whatever way the instance stops, its pending transition is sent once, as terminal.
/// </summary>
public sealed class EvActor : ReceiveActor
{
    private readonly EvAgentState state;
    private readonly FaultPlan faults;
    private readonly IActorRef market;
    private readonly bool silent;
    private readonly IActorRef? learner;
    private readonly TransitionChain? chain;

    // While recovering after a restart, everything but the ledger's answer waits: the state is not valid yet.
    private readonly List<object> stash = [];
    private bool recovering;
    private bool stopped;
    private int lastOpenedStep = -1;
    private int crashOnCommitStep = -1;

    public EvActor(EvAgentState state, FaultPlan faults, IActorRef market, bool silent, IActorRef? learner = null)
    {
        this.state = state;
        this.faults = faults;
        this.market = market;
        this.silent = silent;
        this.learner = learner;
        chain = learner is null ? null : new TransitionChain();
        ReceiveAny(Handle);
    }

    private string Id => state.Vehicle.Id;

    // Also runs on the failed instance before a restart (PreRestart's default), so a crash ends the chain too.
    protected override void PostStop() => Emit(chain?.End());

    protected override void PostRestart(Exception reason)
    {
        recovering = true;
        market.Tell(new RecoverState(Id), Self);
    }

    private void Handle(object message)
    {
        if (message is StateRecovered recovered)
        {
            OnRecovered(recovered);
            return;
        }

        if (recovering || stopped)
        {
            stash.Add(message);
            return;
        }

        switch (message)
        {
            case Depart d:
                market.Tell(new DepartureReport(d.Step, Id, state.Soc, state.CashAud), Self);
                stopped = true;
                Context.Stop(Self);
                break;
            case DropNow drop:
                LeaveForGood(drop.Step, "dropout-after-clearing");
                break;
            case StepOpened or FillProposed or FillCommitted or FillVoided or OrderRefused or StepScored when silent:
                break;
            case StepOpened opened:
                OnOpened(opened);
                break;
            case FillProposed fill:
                market.Tell(new FillAccepted(fill.TradeId, Id), Self);
                break;
            case FillCommitted commit:
                OnCommitted(commit);
                break;
            case OrderRefused refused:
                Emit(chain?.Refused(refused.Step));
                break;
            case StepScored scored:
                Emit(chain?.Score(scored));
                break;
            case FillVoided:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnOpened(StepOpened opened)
    {
        // A duplicate or stale opening (message faults) is not a new step.
        if (opened.Step <= lastOpenedStep)
        {
            return;
        }

        lastOpenedStep = opened.Step;
        var dropout = faults.Dropout(Id, opened.Step);
        if (dropout == DropoutPhase.OnOpen)
        {
            LeaveForGood(opened.Step, "dropout-on-open");
            return;
        }

        var order = state.DecideOrder(opened);
        Emit(chain?.Opened(opened.Step, order is not null, state.LastPolicyVersion));
        var crash = faults.Crashes(Id, opened.Step);
        if (crash && order is null)
        {
            Crash(opened.Step);
        }

        if (order is not null)
        {
            market.Tell(order, Self);
        }

        // With an order, the crash waits for the step's first commit: the worst moment, the ledger has it, we do not.
        crashOnCommitStep = crash ? opened.Step : -1;
        if (dropout == DropoutPhase.AfterOrder)
        {
            LeaveForGood(opened.Step, "dropout-after-order");
        }
        else if (dropout == DropoutPhase.AfterClearing)
        {
            // Clearing happens at the deadline; this timer was set after the coordinator's, so it fires just after.
            var delay = TimeSpan.FromMilliseconds(opened.DeadlineMs) - Context.Now;
            Context.System.Scheduler.ScheduleTellOnce(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Self, new DropNow(opened.Step), Self);
        }
    }

    private void OnCommitted(FillCommitted commit)
    {
        if (crashOnCommitStep == commit.Step)
        {
            crashOnCommitStep = -1;
            Crash(commit.Step);
        }

        state.Apply(commit);
        market.Tell(new CommitAcknowledged(commit.TradeId, Id), Self);
    }

    private void OnRecovered(StateRecovered recovered)
    {
        state.Restore(recovered);
        recovering = false;
        var replay = stash.ToArray();
        stash.Clear();
        foreach (var m in replay)
        {
            if (stopped)
            {
                break;
            }

            Handle(m);
        }
    }

    private void Emit(TransitionObserved? transition)
    {
        if (transition is not null)
        {
            learner!.Tell(transition, Self);
        }
    }

    private void Crash(int step)
    {
        market.Tell(new FaultReport(step, Id, "crash"), Self);
        throw new SimulatedCrashException($"{Id}: planned crash at step {step}");
    }

    private void LeaveForGood(int step, string fault)
    {
        market.Tell(new FaultReport(step, Id, fault), Self);
        stopped = true;
        Context.Stop(Self);
    }

    /// <summary>The AfterClearing dropout's own timer.</summary>
    private sealed record DropNow(int Step);
}

/// <summary>A crash the fault plan injected; supervisors restart on it.</summary>
public sealed class SimulatedCrashException(string message) : Exception(message);
