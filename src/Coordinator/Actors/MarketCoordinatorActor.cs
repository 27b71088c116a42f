using Akka.Actor;
using V2V.Clearing;
using V2V.Coordinator.Ledger;
using V2V.Coordinator.Session;
using V2V.Market.Configuration;
using V2V.Market.Faults;
using V2V.Market.Network;
using V2V.Market.Protocol;
using V2V.Market.Training;

namespace V2V.Coordinator.Actors;

/// <summary>
/// Everything a coordinator is made from: immutable values, plus the ledger it alone writes and the run's monitor.
/// <paramref name="NewScorer"/> and <paramref name="Gate"/> are set when training: the coordinator makes its own scorer,
/// so no other object holds its sums, and hands their snapshot over in its trace when the run ends.
/// <paramref name="Clock"/> is set in wall-clock mode (MarketCoordinatorActor.WallClock.cs), null in simulated time.
/// <paramref name="NodeLoss"/> is the scenario's scheduled node loss, if any. <paramref name="ResumeFrom"/>, the records
/// of a facility whose cluster member was lost, makes a coordinator that resumes from them instead of starting at step 0.
/// </summary>
public sealed record CoordinatorPlan(
    MarketConfig Market,
    ProtocolConfig Protocol,
    INetworkModel Network,
    Func<IClearingMechanism> NewMechanism,
    ILedgerSink Ledger,
    Props Facility,
    RunMonitor Monitor,
    Func<IStepScorer>? NewScorer = null,
    IActorRef? Gate = null,
    WallClock? Clock = null,
    CoordinatorRestartPlan? Restarts = null,
    NodeLoss? NodeLoss = null,
    LedgerFile? ResumeFrom = null);

/// <summary>
/// The market coordinator, the clock of its facility (DESIGN "Simulated time on a real actor runtime" and "One market
/// step"): a shell over <see cref="MarketSession"/>, which holds every market decision and writes the ledger. A step
/// is a sequence of barriers: the roster (departures, arrivals), the orders (one answer per EV the opening reached),
/// the acceptances, the commit deliveries (resent in simulated time until acknowledged), the scores when training.
/// Within a barrier, what arrived is ordered by simulated arrival time and EV id before anything is decided, and the
/// bid and settlement windows apply in simulated time, so the ledger depends on the configuration and seed only,
/// never on the thread pool. The simulated network (<see cref="INetworkModel"/>) decides each market message's fate in
/// both directions; a message it loses is known lost, so no barrier waits for it.
/// Failure policy: a planned restart (<see cref="PlannedCoordinatorRestart"/>, at a step boundary) resumes from the
/// ledger at the step where it stopped (MarketCoordinatorActor.Resume.cs); nothing ever opens step 0 again. Any other
/// exception here, or escalated from the facility, ends the run: it would happen again the same way on a resumed run,
/// so a restart forced on the coordinator after one stops the new instance before it writes anything.
/// </summary>
public sealed partial class MarketCoordinatorActor : ReceiveActor
{
    private static readonly SupervisorStrategy FacilityFailsTheMarket = new OneForOneStrategy(_ => Directive.Escalate);

    private readonly CoordinatorPlan plan;
    private readonly SimulationTrace trace;
    private readonly IStepScorer? scorer;
    private readonly double stepMs;
    private readonly int totalSteps;

    // EVs in admission order: steps open to them in this order, as in the plain market loop.
    private readonly List<Parked> parked = [];

    // The barrier of the current phase: the (EV, key) pairs whose answer is still to come.
    private readonly HashSet<(string Agent, long Key)> awaiting = [];
    private readonly List<OrderAnswer> orderAnswers = [];

    // EVs dropped since the last step began: the facility retires them before it sends anyone home.
    private readonly List<string> gone = [];
    private MarketSession session = null!;
    private IActorRef facility = ActorRefs.Nobody;
    private Phase phase = Phase.Starting;
    private int step;
    private double deadlineMs;

    // When the last commit of the steps so far was acknowledged: the next step cannot open before it.
    private double settledMs;

    public MarketCoordinatorActor(CoordinatorPlan plan)
    {
        this.plan = plan;
        trace = plan.Monitor.Trace;
        scorer = plan.NewScorer?.Invoke();
        stepMs = TimeSpan.FromHours(plan.Market.Time.StepHours).TotalMilliseconds;
        totalSteps = plan.Market.Time.TotalSteps;

        Receive<StepBoundaryPassed>(OnBoundaryPassed);
        Receive<Roster>(OnRoster);
        if (plan.Clock is { } wall)
        {
            ReceiveOnWallClock(wall);
        }
        else
        {
            Receive<OrderAnswer>(OnOrderAnswer);
            Receive<FillAccepted>(OnAccepted);
            Receive<CommitAnswer>(OnCommitAnswer);
            Receive<AgentLost>(OnAgentLost);
        }

        Receive<ScoreTaken>(OnScoreTaken);
        Receive<RecoverState>(r => Sender.Tell(session.Recover(r.Agent), Self));
        Receive<RunEnded>(OnRunEnded);
        Receive<DescribeWait>(_ => Sender.Tell(new WaitDescribed(step, phase.ToString(), trace.Messages,
            [.. awaiting.Select(k => $"{k.Agent}/{k.Key}").Order(StringComparer.Ordinal)], WaitsForClock), Self));
    }

    private enum Phase
    {
        Starting,
        Gate,
        Roster,
        Orders,
        Accepts,
        Commits,
        Scores,
        Ending,
    }

    public static Props Props(CoordinatorPlan plan) => Akka.Actor.Props.Create(() => new MarketCoordinatorActor(plan));

    protected override SupervisorStrategy SupervisorStrategy() => FacilityFailsTheMarket;

    // The session writes the run header: it is made here, once, never in a restarted instance.
    protected override void PreStart()
    {
        RefuseRestartsWhenTraining();
        if (plan.ResumeFrom is { } records)
        {
            ResumeOnAnotherMember(records);
            return;
        }

        session = new MarketSession(plan.Market, plan.NewMechanism(), plan.Ledger);
        facility = Context.ActorOf(plan.Facility, "facility");
        Begin(0);
    }

    // Every message counts, except the runner's question of what the coordinator waits for (its stall check compares
    // counts between two questions).
    protected override bool AroundReceive(Receive receive, object message)
    {
        if (message is not DescribeWait)
        {
            trace.Messages++;
        }

        return base.AroundReceive(receive, message);
    }

    private void Begin(int next)
    {
        step = next;
        if (plan.Gate is { } gate)
        {
            phase = Phase.Gate;
            gate.Tell(new StepBoundary(step), Self);
            return;
        }

        BeginRoster();
    }

    private void OnBoundaryPassed(StepBoundaryPassed passed)
    {
        if (phase == Phase.Gate && passed.Step == step)
        {
            BeginRoster();
        }
    }

    private void BeginRoster()
    {
        if (step < totalSteps)
        {
            phase = Phase.Roster;
            LoseScheduledNode();
            Send(facility, new BeginStep(step, [.. gone]));
        }
        else
        {
            phase = Phase.Ending;
            Send(facility, new EndRun(step, [.. gone]));
        }

        gone.Clear();
    }

    private void OnRoster(Roster roster)
    {
        if (phase != Phase.Roster || roster.Step != step)
        {
            return;
        }

        foreach (var d in roster.Departures)
        {
            session.Depart(d);
        }

        foreach (var a in roster.Arrivals)
        {
            session.Arrive(step, a.Agent, a.Soc, a.TargetSoc, a.DepartureStep);
            parked.Add(new Parked(a.Agent, a.Silent));
            if (a.Silent)
            {
                session.RecordFault(step, a.Agent, "silent");
            }
        }

        parked.RemoveAll(p => !session.IsParked(p.Agent));
        Open();
    }

    private void Open()
    {
        if (plan.Clock is not null)
        {
            OpenOnWallClock();
            return;
        }

        var openMs = Math.Max(step * stepMs, settledMs);
        deadlineMs = openMs + plan.Protocol.BidWindow.TotalMilliseconds;
        session.Open(step, deadlineMs);
        trace.StepOpenedMs.Add(openMs);
        phase = Phase.Orders;
        awaiting.Clear();
        orderAnswers.Clear();
        var last = session.Prices.LastAudPerKwh;
        var recent = session.Prices.RecentAudPerKwh;
        foreach (var p in parked)
        {
            var reached = Deliver(MessageKind.StepOpened, p.Agent, 0, 0, openMs,
                (at, copy) => new StepOpened(step, p.Agent, at, deadlineMs, last, recent, copy));
            if (reached && !p.Silent)
            {
                awaiting.Add((p.Agent, 0));
            }
        }

        if (awaiting.Count == 0)
        {
            CloseOrders();
        }
    }

    private void OnOrderAnswer(OrderAnswer answer)
    {
        if (phase == Phase.Orders && answer.Step == step && awaiting.Remove((answer.Agent, 0)))
        {
            orderAnswers.Add(answer);
            if (awaiting.Count == 0)
            {
                CloseOrders();
            }
        }
    }

    // The bid window in simulated time: every answer is in; orders and faults take effect in (arrival, EV) order.
    private void CloseOrders()
    {
        var events = new List<OrderEvent>(orderAnswers.Count);
        var afterClearing = new List<string>();
        foreach (var a in orderAnswers)
        {
            if (a.Order is not null)
            {
                var fate = Inbound(MessageKind.Order, a.Agent, 0, 0);
                if (!fate.Lost)
                {
                    events.Add(new OrderEvent(a.SentMs + fate.DelayMs, a.Agent, 0, a));
                    if (fate.DuplicateAfterMs is { } extra)
                    {
                        events.Add(new OrderEvent(a.SentMs + fate.DelayMs + extra, a.Agent, 2, a));
                    }
                }
            }

            // A fault report rides the control plane: it takes effect when the EV sent its answer.
            if (a.Fault is EvFault.Crash or EvFault.DropoutOnOpen or EvFault.DropoutAfterOrder)
            {
                events.Add(new OrderEvent(a.SentMs, a.Agent, 1, a));
            }
            else if (a.Fault == EvFault.DropoutAfterClearing)
            {
                afterClearing.Add(a.Agent);
            }
        }

        events.Sort();
        foreach (var e in events)
        {
            if (e.Kind == 1)
            {
                OnFault(e.Answer.Agent, e.Answer.Fault);
            }
            else if (session.Receive(e.Answer.Order!, e.AtMs) is { } reason && reason != "duplicate")
            {
                trace.OrdersRefused++;
                Deliver(MessageKind.OrderRefused, e.Answer.Agent, 0, 0, e.AtMs, (_, _) => new OrderRefused(step, e.Answer.Agent, reason));
            }
        }

        var fills = session.Clear();
        afterClearing.Sort(StringComparer.Ordinal);
        foreach (var agent in afterClearing)
        {
            OnFault(agent, EvFault.DropoutAfterClearing);
        }

        ProposeFills(fills);
    }

    private void OnFault(string agent, EvFault fault)
    {
        session.RecordFault(step, agent, FaultName(fault));
        if (fault != EvFault.Crash)
        {
            Drop(agent, "dropout");
        }
    }

    private static string FaultName(EvFault fault) => fault switch
    {
        EvFault.Crash => "crash",
        EvFault.DropoutOnOpen => "dropout-on-open",
        EvFault.DropoutAfterOrder => "dropout-after-order",
        EvFault.DropoutAfterClearing => "dropout-after-clearing",
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, "not a fault"),
    };

    private void Drop(string agent, string reason)
    {
        foreach (var (trade, why) in session.Drop(step, agent, reason))
        {
            NotifyVoid(trade, why);
        }

        parked.RemoveAll(p => p.Agent == agent);
        gone.Add(agent);
        DropDeliveriesTo(agent);
    }

    // An EV gone without announcing it (its supervisor gave up on it, or its node is lost): it is lost from the step in
    // which the coordinator learns of it, and no barrier waits for it any more.
    private void OnAgentLost(AgentLost lost)
    {
        Drop(lost.Agent, lost.Reason);
        if (awaiting.RemoveWhere(k => k.Agent == lost.Agent) > 0 && awaiting.Count == 0)
        {
            BarrierDone();
        }
    }

    private void BarrierDone()
    {
        switch (phase)
        {
            case Phase.Orders:
                CloseOrders();
                break;
            case Phase.Accepts:
                Settle();
                break;
            case Phase.Commits:
                CommitRoundDone();
                break;
            case Phase.Scores:
                NextStep();
                break;
        }
    }

    private void OnRunEnded(RunEnded ended)
    {
        if (phase != Phase.Ending)
        {
            return;
        }

        foreach (var d in ended.Departures)
        {
            session.Depart(d);
        }

        plan.Ledger.Flush();
        trace.Duration = TimeSpan.FromMilliseconds(Math.Max(totalSteps * stepMs, settledMs));
        trace.Finished = true;
        trace.Scores = scorer?.Totals;
        plan.Monitor.Finish(trace);
    }

    private void Send(IActorRef to, object message)
    {
        trace.Messages++;
        to.Tell(message, Self);
    }

    /// <summary>
    /// Sends a market message to an EV through the simulated network: lost (false), or delivered with its simulated
    /// arrival time, and again later when the network duplicates it (the EV drops the copy). On the wall clock the
    /// network's delay is a real one (<see cref="Transmit"/>).
    /// </summary>
    private bool Deliver(MessageKind kind, string agent, long key, int attempt, double sentMs, Func<double, int, object> message)
    {
        var fate = plan.Network.Fate(kind, agent, step, key, attempt);
        if (!Count(fate))
        {
            return false;
        }

        Transmit(fate.DelayMs, facility, message(sentMs + fate.DelayMs, 0));
        if (fate.DuplicateAfterMs is { } extra)
        {
            Transmit(fate.DelayMs + extra, facility, message(sentMs + fate.DelayMs + extra, 1));
        }

        return true;
    }

    private MessageFate Inbound(MessageKind kind, string agent, long key, int attempt)
    {
        var fate = plan.Network.Fate(kind, agent, step, key, attempt);
        Count(fate);
        return fate;
    }

    private bool Count(MessageFate fate)
    {
        if (fate.Lost)
        {
            trace.MessagesDropped++;
            return false;
        }

        trace.MessagesDelayed += fate.Delayed ? 1 : 0;
        trace.MessagesDuplicated += fate.DuplicateAfterMs is null ? 0 : 1;
        return true;
    }

    private sealed record Parked(string Agent, bool Silent);

    /// <summary>Asks what the coordinator waits for (a run that makes no progress says so, instead of hanging).</summary>
    public sealed record DescribeWait : Akka.Actor.INoSerializationVerificationNeeded
    {
        public static DescribeWait Instance { get; } = new();
    }

    /// <summary>
    /// The step, the phase, how many messages so far, and the (EV/key) answers still awaited; <paramref name="WaitsForClock"/>
    /// when it waits for one of its own wall-clock timers (a window or the next opening), which cannot stall.
    /// </summary>
    public sealed record WaitDescribed(int Step, string Phase, long Messages, IReadOnlyList<string> Awaiting, bool WaitsForClock = false)
        : Akka.Actor.INoSerializationVerificationNeeded;

    // Kind: 0 the order, 1 the fault report, 2 the network's duplicate of the order. Sorted by (time, EV, kind).
    private readonly record struct OrderEvent(double AtMs, string Agent, int Kind, OrderAnswer Answer) : IComparable<OrderEvent>
    {
        public int CompareTo(OrderEvent other)
        {
            var c = AtMs.CompareTo(other.AtMs);
            c = c != 0 ? c : string.CompareOrdinal(Agent, other.Agent);
            return c != 0 ? c : Kind.CompareTo(other.Kind);
        }
    }
}
