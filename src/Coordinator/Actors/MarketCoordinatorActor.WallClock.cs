using Akka.Actor;
using V2V.Market.Network;
using V2V.Market.Orders;
using V2V.Market.Protocol;

namespace V2V.Coordinator.Actors;

/// <summary>
/// Wall-clock mode (<see cref="WallClock"/>, docs/architecture.md "Two clocks"): the same step, with real timers in place
/// of the barriers of the orders and acceptances. Step k opens k x M wall ms after step 0 opened (later if
/// the previous step's last commit was acknowledged after that); the bid window and the settlement window (counted from
/// clearing) are timers of their simulated length scaled to M; an order or acceptance is taken when it arrives, at its
/// measured time, and one that arrives after its window is late (the session rejects the order "late"; an acceptance
/// after the settlement window no longer counts, so the trade is void "timeout"). The simulated network stays in charge
/// of each message's fate, and its delay becomes a real one, scheduled (both directions), so latency makes answers
/// late. Commits go out as soon as both parties have accepted and are resent one retry interval (scaled) after a loss
/// or a crash; the step closes when the settlement window has closed and every commit is acknowledged.
/// Every time this mode writes to the ledger is measured: wall ms since step 0 opened, times the step's
/// simulated length over M (one unit with simulated-time runs). Time is read from the actor system's scheduler, so a
/// test's virtual scheduler drives the whole mode. Not reproducible by design.
/// </summary>
public sealed partial class MarketCoordinatorActor : IWithTimers
{
    private const string OpeningTimer = "opening";
    private const string WindowTimer = "window";

    // DropoutAfterClearing reports of the open step: they take effect at the deadline, after the book is cleared.
    private readonly List<string> dropoutsAtClearing = [];

    // Wall ms per simulated ms, and half the scheduler's tick: a delay below it is no delay (the nearest whole tick).
    private double wallScale;
    private TimeSpan halfTick;
    // When step 0 opened: the origin of the run's time (starting the first EVs is not part of any step).
    private DateTimeOffset? startedAt;
    private double settlementClosesMs;
    private bool waitingForOpening;

    // The key of the last message in transit: each one is a timer of its own (the actor's timers die with it).
    private long inTransit;

    public ITimerScheduler Timers { get; set; } = null!;

    private void ReceiveOnWallClock(WallClock clock)
    {
        wallScale = clock.Scale(stepMs);
        halfTick = Context.System.Settings.Config.GetTimeSpan("akka.scheduler.tick-duration", null) / 2;
        Receive<OrderAnswer>(a => AfterAnswer(() => OnOrderAnswerOnWallClock(a)));
        Receive<FillAccepted>(a => AfterAnswer(() => OnAcceptedOnWallClock(a)));
        Receive<CommitAnswer>(a => AfterAnswer(() => OnCommitAnswerOnWallClock(a)));
        Receive<AgentLost>(l => AfterAnswer(() => OnAgentLost(l)));
        Receive<InTransit>(t => AfterAnswer(() =>
        {
            if (t.To is { } to)
            {
                Send(to, t.Message);
            }
            else
            {
                Arrived(t.Message);
            }
        }));
        Receive<CommitDue>(d => AfterAnswer(() =>
        {
            if (unacked.TryGetValue((d.Trade, d.Agent), out var delivery))
            {
                SendCommit((d.Trade, d.Agent), delivery);
            }
        }));
        Receive<OpeningDue>(d =>
        {
            if (waitingForOpening && d.Step == step)
            {
                OpenNowOnWallClock();
            }
        });
        Receive<BidWindowClosed>(c =>
        {
            if (phase == Phase.Orders && c.Step == step)
            {
                CloseOrdersOnWallClock();
            }
        });
        Receive<SettlementWindowClosed>(c => AfterAnswer(() =>
        {
            if (phase == Phase.Accepts && c.Step == step)
            {
                foreach (var (trade, reason) in session.ExpireSettlement())
                {
                    NotifyVoid(trade, reason);
                }

                settledMs = Math.Max(settledMs, settlementClosesMs);
                phase = Phase.Commits;
            }
        }));
    }

    /// <summary>Whether the coordinator waits for one of its own timers (it cannot stall there).</summary>
    private bool WaitsForClock => plan.Clock is not null && (waitingForOpening || phase is Phase.Orders or Phase.Accepts);

    // Simulated ms now: measured wall time since step 0 opened, scaled.
    private double NowMs => Elapsed.TotalMilliseconds / wallScale;

    private TimeSpan Elapsed => Context.System.Scheduler.Now - (startedAt ??= Context.System.Scheduler.Now);

    private TimeSpan Wall(double simulatedMs) => TimeSpan.FromMilliseconds(Math.Max(0, simulatedMs) * wallScale);

    // The step opens at its scheduled wall time: at once when that has passed (a slow step before it), else on a timer.
    private void OpenOnWallClock()
    {
        var wait = Wall(Math.Max(step * stepMs, settledMs)) - Elapsed;
        if (wait > halfTick)
        {
            waitingForOpening = true;
            Timers.StartSingleTimer(OpeningTimer, new OpeningDue(step), wait);
            return;
        }

        OpenNowOnWallClock();
    }

    private void OpenNowOnWallClock()
    {
        waitingForOpening = false;
        var openMs = Math.Max(NowMs, settledMs);
        deadlineMs = openMs + plan.Protocol.BidWindow.TotalMilliseconds;
        session.Open(step, deadlineMs);
        trace.StepOpenedMs.Add(openMs);
        phase = Phase.Orders;
        dropoutsAtClearing.Clear();
        var last = session.Prices.LastAudPerKwh;
        var recent = session.Prices.RecentAudPerKwh;
        foreach (var p in parked)
        {
            Deliver(MessageKind.StepOpened, p.Agent, 0, 0, openMs, (at, copy) => new StepOpened(step, p.Agent, at, deadlineMs, last, recent, copy));
        }

        Timers.StartSingleTimer(WindowTimer, new BidWindowClosed(step), Wall(plan.Protocol.BidWindow.TotalMilliseconds));
    }

    // The order rides the network; the fault report, the control plane: it takes effect now, after an order that came
    // with no delay (as in simulated time, where the order sorts first at the same instant).
    private void OnOrderAnswerOnWallClock(OrderAnswer answer)
    {
        if (answer.Order is { } order)
        {
            var fate = plan.Network.Fate(MessageKind.Order, answer.Agent, answer.Step, 0, 0);
            if (Count(fate))
            {
                AfterTransit(fate.DelayMs, order);
                if (fate.DuplicateAfterMs is { } extra)
                {
                    AfterTransit(fate.DelayMs + extra, order);
                }
            }
        }

        if (answer.Fault == EvFault.None || !session.IsParked(answer.Agent))
        {
            return;
        }

        if (answer.Fault == EvFault.DropoutAfterClearing && phase == Phase.Orders && answer.Step == step)
        {
            dropoutsAtClearing.Add(answer.Agent);
        }
        else
        {
            OnFault(answer.Agent, answer.Fault);
        }
    }

    private void CloseOrdersOnWallClock()
    {
        var fills = session.Clear();
        dropoutsAtClearing.Sort(StringComparer.Ordinal);
        foreach (var agent in dropoutsAtClearing)
        {
            OnFault(agent, EvFault.DropoutAfterClearing);
        }

        dropoutsAtClearing.Clear();
        phase = Phase.Accepts;
        var clearedMs = NowMs;
        settlementClosesMs = clearedMs + plan.Protocol.SettlementWindow.TotalMilliseconds;
        foreach (var fill in fills)
        {
            if (session.IsPending(fill.TradeId))
            {
                foreach (var party in new[] { fill.BuyerId, fill.SellerId })
                {
                    Deliver(MessageKind.FillProposed, party, fill.TradeId, 0, clearedMs, (at, copy) => new FillProposed(fill, party, at, copy));
                }
            }
        }

        Timers.StartSingleTimer(WindowTimer, new SettlementWindowClosed(step), Wall(plan.Protocol.SettlementWindow.TotalMilliseconds));
    }

    private void OnAcceptedOnWallClock(FillAccepted accepted)
    {
        if (phase == Phase.Accepts && accepted.Step == step)
        {
            var fate = plan.Network.Fate(MessageKind.FillAccepted, accepted.Agent, step, accepted.TradeId, 0);
            if (Count(fate))
            {
                AfterTransit(fate.DelayMs, accepted);
            }
        }
    }

    private void OnCommitAnswerOnWallClock(CommitAnswer answer)
    {
        var key = (answer.TradeId, answer.Agent);
        if (answer.Step != step || !unacked.TryGetValue(key, out var d))
        {
            return;
        }

        if (answer.Crashed)
        {
            session.RecordFault(step, answer.Agent, "crash");
            RetryLater(key, d);
            return;
        }

        var fate = plan.Network.Fate(MessageKind.CommitAcknowledged, answer.Agent, step, answer.TradeId, answer.Attempt);
        if (Count(fate))
        {
            AfterTransit(fate.DelayMs, answer);
        }
        else
        {
            RetryLater(key, d);
        }
    }

    // A market message the network delivers to the coordinator: taken at its measured arrival time.
    private void Arrived(object message)
    {
        switch (message)
        {
            case SubmitOrder order:
                var at = NowMs;
                if (session.Receive(order, at) is { } reason && reason != "duplicate")
                {
                    trace.OrdersRefused++;
                    Deliver(MessageKind.OrderRefused, order.Agent, 0, 0, at, (_, _) => new OrderRefused(order.Step, order.Agent, reason));
                }

                break;
            case FillAccepted a when phase == Phase.Accepts && a.Step == step && NowMs <= settlementClosesMs:
                if (session.Accept(a.TradeId, a.Agent) is { } fill)
                {
                    foreach (var party in new[] { fill.BuyerId, fill.SellerId })
                    {
                        var delivery = new Delivery(fill, 0, NowMs);
                        unacked[(fill.TradeId, party)] = delivery;
                        SendCommit((fill.TradeId, party), delivery);
                    }
                }

                break;
            case CommitAnswer c when c.Step == step && unacked.Remove((c.TradeId, c.Agent)):
                settledMs = Math.Max(settledMs, NowMs);
                break;
        }
    }

    private void SendCommit((long Trade, string Agent) key, Delivery d)
    {
        if (!Deliver(MessageKind.FillCommitted, key.Agent, key.Trade, d.Attempt, d.SendMs, (at, copy) => new FillCommitted(d.Fill, key.Agent, d.Attempt, at, copy)))
        {
            RetryLater(key, d);
        }
    }

    // The commit goes out again one retry interval (scaled) from now: it, or its answer, was lost, or the party crashed.
    private void RetryLater((long Trade, string Agent) key, Delivery d)
    {
        Resend(key, d with { SendMs = NowMs });
        Timers.StartSingleTimer(key, new CommitDue(key.Trade, key.Agent), Wall(plan.Protocol.CommitRetryInterval.TotalMilliseconds));
    }

    // Runs a handler, then closes the step if that settled it: settlement window closed, every commit acknowledged.
    private void AfterAnswer(Action handle)
    {
        handle();
        if (phase == Phase.Commits && unacked.Count == 0)
        {
            CloseStep();
        }
    }

    /// <summary>
    /// Sends a market message now, or after the network's delay scaled to wall time (delays of less than half the
    /// scheduler's tick go at once: a scheduled message cannot be finer than a tick).
    /// </summary>
    private void Transmit(double delayMs, IActorRef to, object message)
    {
        var wait = plan.Clock is null ? TimeSpan.Zero : Wall(delayMs);
        if (wait == TimeSpan.Zero || wait < halfTick)
        {
            Send(to, message);
            return;
        }

        Timers.StartSingleTimer(++inTransit, new InTransit(message, to), wait);
    }

    // A message the network delivers to the coordinator after its delay: handled now when the delay rounds to no tick.
    private void AfterTransit(double delayMs, object message)
    {
        var wait = Wall(delayMs);
        if (wait < halfTick)
        {
            Arrived(message);
            return;
        }

        Timers.StartSingleTimer(++inTransit, new InTransit(message, null), wait);
    }

    private sealed record OpeningDue(int Step) : INoSerializationVerificationNeeded;

    private sealed record BidWindowClosed(int Step) : INoSerializationVerificationNeeded;

    private sealed record SettlementWindowClosed(int Step) : INoSerializationVerificationNeeded;

    private sealed record CommitDue(long Trade, string Agent) : INoSerializationVerificationNeeded;

    /// <summary>A message the network holds for its delay: to <paramref name="To"/>, or to the coordinator when null.</summary>
    private sealed record InTransit(object Message, IActorRef? To) : INoSerializationVerificationNeeded;
}
