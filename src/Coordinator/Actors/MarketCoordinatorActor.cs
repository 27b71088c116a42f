using V2V.Actors;
using V2V.Actors.Supervision;
using V2V.Coordinator.Session;
using V2V.Market.Configuration;
using V2V.Market.Protocol;
using V2V.Market.Training;

namespace V2V.Coordinator.Actors;

/// <summary>
/// The market coordinator (DESIGN "One market step"): a thin shell over <see cref="MarketSession"/>, which holds
/// every decision and writes the ledger. Step t begins at t * step length: the facility retires and admits EVs,
/// the step opens to every parked EV, the book clears when the bid window closes, fills are proposed to both
/// parties, a trade commits when both accept, and what is not committed when the settlement window closes is void.
/// Commits are resent until acknowledged (receivers are idempotent by trade id), and the next step waits until
/// every parked party has acknowledged its commits, so an EV never leaves with a commit it has not applied.
/// When training, a <see cref="IStepScorer"/> scores every order once its step is settled (DESIGN step 4: the
/// coordinator alone holds the book) and the score goes to the order's EV; a training gate, if given, is asked at each
/// step boundary and the next step (or the run's end) waits for its <see cref="StepBoundaryPassed"/>.
/// Failure policy: the coordinator is never restarted. A fresh instance would open step 0 again and admit every EV a
/// second time over a ledger that already holds the run, so any exception here, or escalated from the facility, ends
/// the run (its supervisor stops it and the runner reports the step and the cause); a restart forced on it anyway
/// stops the new instance before it starts a market.
/// </summary>
public sealed class MarketCoordinatorActor : ReceiveActor
{
    private readonly MarketSession session;
    private readonly ProtocolConfig protocol;
    private readonly TimeSpan stepLength;
    private readonly int totalSteps;
    private readonly Props facilityProps;
    private readonly SimulationTrace trace;
    private readonly MarketConfig market;
    private readonly IStepScorer? scorer;
    private readonly IActorRef? gate;
    // The facility holds the roster of parked EVs: a restarted facility would forget them, so its failures are ours.
    private static readonly SupervisorStrategy FacilityFailsTheMarket = new OneForOneStrategy(static _ => Directive.Escalate);

    private readonly Dictionary<string, IActorRef> refs = new(StringComparer.Ordinal);
    private readonly List<string> openOrder = [];

    // Sorted, so resends go out in the same order every run.
    private readonly SortedDictionary<(long Trade, string Agent), FillCommitted> unacked = [];
    private IActorRef? facility;
    private ICancelable? retryTimer;
    private int? waitingToStart;
    private int gateAsked = -1;
    private int gatePassed = -1;

    public MarketCoordinatorActor(
        MarketSession session,
        MarketConfig market,
        ProtocolConfig protocol,
        Props facilityProps,
        SimulationTrace trace,
        IStepScorer? scorer = null,
        IActorRef? gate = null)
    {
        this.session = session;
        this.market = market;
        this.scorer = scorer;
        this.gate = gate;
        this.protocol = protocol;
        this.facilityProps = facilityProps;
        this.trace = trace;
        stepLength = TimeSpan.FromHours(market.Time.StepHours);
        totalSteps = market.Time.TotalSteps;

        Receive<StartStep>(s => TryStart(s.Step));
        Receive<DepartureReport>(session.Depart);
        Receive<Roster>(OnRoster);
        Receive<SubmitOrder>(OnOrder);
        Receive<CloseOrders>(OnCloseOrders);
        Receive<FillAccepted>(OnAccepted);
        Receive<CommitAcknowledged>(OnAcknowledged);
        Receive<RetryCommits>(_ => OnRetry());
        Receive<CloseSettlement>(OnCloseSettlement);
        Receive<FaultReport>(OnFault);
        Receive<AgentLost>(l => Drop(l.Step, l.Agent, l.Reason));
        Receive<RecoverState>(r => Sender.Tell(session.Recover(r.Agent), Self));
        Receive<RunEnded>(_ => trace.Finished = true);
        Receive<StepBoundaryPassed>(OnBoundaryPassed);
    }

    private double NowMs => Context.Now.TotalMilliseconds;

    protected override SupervisorStrategy SupervisorStrategy() => FacilityFailsTheMarket;

    protected override void PostRestart(Exception reason) => Context.Stop(Self);

    protected override void PreStart()
    {
        facility = Context.ActorOf(facilityProps, "facility");
        Self.Tell(new StartStep(0), Self);
    }

    private void TryStart(int step)
    {
        if (unacked.Count > 0)
        {
            waitingToStart = step;
            return;
        }

        waitingToStart = null;
        if (gate is not null && gatePassed != step)
        {
            if (gateAsked != step)
            {
                gateAsked = step;
                gate.Tell(new StepBoundary(step), Self);
            }

            return;
        }

        facility!.Tell(step < totalSteps ? new BeginStep(step) : new EndRun(step), Self);
    }

    private void OnBoundaryPassed(StepBoundaryPassed passed)
    {
        if (passed.Step != gateAsked || gatePassed == passed.Step)
        {
            return;
        }

        gatePassed = passed.Step;
        TryStart(passed.Step);
    }

    private void OnRoster(Roster roster)
    {
        foreach (var a in roster.Arrivals)
        {
            session.Arrive(roster.Step, a.Agent, a.Soc, a.TargetSoc, a.DepartureStep);
            refs[a.Agent] = a.Ref;
            openOrder.Add(a.Agent);
            if (a.Silent)
            {
                session.RecordFault(roster.Step, a.Agent, "silent");
            }
        }

        openOrder.RemoveAll(id => !session.IsParked(id));
        var opened = session.Open(roster.Step, (Context.Now + protocol.BidWindow).TotalMilliseconds);
        trace.StepOpenedMs.Add(NowMs);
        foreach (var id in openOrder)
        {
            refs[id].Tell(opened, Self);
        }

        Context.System.Scheduler.ScheduleTellOnce(protocol.BidWindow, Self, new CloseOrders(roster.Step), Self);
    }

    private void OnOrder(SubmitOrder order)
    {
        if (session.Receive(order, NowMs) is { } reason && reason != "duplicate")
        {
            trace.OrdersRefused++;
            Sender.Tell(new OrderRefused(order.Step, reason), Self);
        }
    }

    private void OnCloseOrders(CloseOrders close)
    {
        if (close.Step != session.Step || !session.IsOpen)
        {
            return;
        }

        foreach (var fill in session.Clear())
        {
            TellParty(fill.BuyerId, fill);
            TellParty(fill.SellerId, fill);
        }

        Context.System.Scheduler.ScheduleTellOnce(protocol.SettlementWindow, Self, new CloseSettlement(close.Step), Self);
    }

    private void OnAccepted(FillAccepted accepted)
    {
        if (session.Accept(accepted) is not { } commit)
        {
            return;
        }

        foreach (var party in new[] { commit.BuyerId, commit.SellerId })
        {
            unacked[(commit.TradeId, party)] = commit;
            TellParty(party, commit);
        }

        retryTimer ??= Context.System.Scheduler.ScheduleTellOnce(protocol.CommitRetryInterval, Self, RetryCommits.Instance, Self);
    }

    private void OnAcknowledged(CommitAcknowledged ack)
    {
        if (unacked.Remove((ack.TradeId, ack.Agent)))
        {
            AfterUnackedShrank();
        }
    }

    private void OnRetry()
    {
        retryTimer = null;
        foreach (var ((trade, agent), commit) in unacked.ToList())
        {
            if (!session.IsParked(agent))
            {
                unacked.Remove((trade, agent));
                continue;
            }

            trace.CommitsResent++;
            TellParty(agent, commit);
        }

        if (unacked.Count > 0)
        {
            retryTimer = Context.System.Scheduler.ScheduleTellOnce(protocol.CommitRetryInterval, Self, RetryCommits.Instance, Self);
        }
        else
        {
            AfterUnackedShrank();
        }
    }

    private void AfterUnackedShrank()
    {
        if (unacked.Count > 0)
        {
            return;
        }

        retryTimer?.Cancel();
        retryTimer = null;
        if (waitingToStart is { } step)
        {
            TryStart(step);
        }
    }

    private void OnCloseSettlement(CloseSettlement close)
    {
        if (close.Step != session.Step)
        {
            return;
        }

        foreach (var (trade, reason) in session.CloseStep())
        {
            NotifyVoid(trade, reason);
        }

        if (scorer is not null)
        {
            var grid = market.Tariff.GridPriceAt(close.Step % market.Time.StepsPerDay);
            foreach (var score in scorer.Score(close.Step, session.Book, session.StepCommittedTrades, grid))
            {
                TellParty(score.Agent, score);
            }
        }

        trace.StepsClosed = close.Step + 1;
        var next = (stepLength * (close.Step + 1)) - Context.Now;
        Context.System.Scheduler.ScheduleTellOnce(next > TimeSpan.Zero ? next : TimeSpan.Zero, Self, new StartStep(close.Step + 1), Self);
    }

    private void OnFault(FaultReport fault)
    {
        session.RecordFault(fault.Step, fault.Agent, fault.Fault);
        if (fault.Fault.StartsWith("dropout", StringComparison.Ordinal))
        {
            Drop(fault.Step, fault.Agent, "dropout");
        }
    }

    private void Drop(int step, string agent, string reason)
    {
        foreach (var (trade, why) in session.Drop(step, agent, reason))
        {
            NotifyVoid(trade, why);
        }

        foreach (var key in unacked.Keys.Where(k => k.Agent == agent).ToList())
        {
            unacked.Remove(key);
        }

        AfterUnackedShrank();
    }

    private void NotifyVoid(PendingTrade trade, string reason)
    {
        var voided = new FillVoided(trade.Fill.TradeId, reason);
        TellParty(trade.Fill.BuyerId, voided);
        TellParty(trade.Fill.SellerId, voided);
    }

    private void TellParty(string agent, object message)
    {
        if (session.IsParked(agent) && refs.TryGetValue(agent, out var r))
        {
            r.Tell(message, Self);
        }
    }
}
