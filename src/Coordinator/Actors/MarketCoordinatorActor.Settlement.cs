using Akka.Actor;
using V2V.Coordinator.Session;
using V2V.Market.Network;
using V2V.Market.Orders;
using V2V.Market.Protocol;

namespace V2V.Coordinator.Actors;

/// <summary>
/// Settlement (DESIGN "One market step", step 5) in simulated time: fills are proposed at the deadline; a trade commits
/// when both acceptances have arrived, at the later one, if that is within the settlement window, and is void
/// ("timeout") otherwise; commits are delivered in rounds, a lost commit or a lost acknowledgement resent one retry
/// interval later, until every party still parked has acknowledged. Then the step closes.
/// </summary>
public sealed partial class MarketCoordinatorActor
{
    private readonly List<FillAccepted> accepts = [];
    private readonly List<CommitAnswer> commitAnswers = [];

    // Commits not yet acknowledged, by (trade, party): sorted, so every round goes out in the same order.
    private readonly SortedDictionary<(long Trade, string Agent), Delivery> unacked = [];

    private void ProposeFills(IReadOnlyList<Fill> fills)
    {
        phase = Phase.Accepts;
        awaiting.Clear();
        accepts.Clear();
        foreach (var fill in fills)
        {
            if (!session.IsPending(fill.TradeId))
            {
                continue; // voided: a party dropped out after clearing
            }

            foreach (var party in new[] { fill.BuyerId, fill.SellerId })
            {
                if (Deliver(MessageKind.FillProposed, party, fill.TradeId, 0, deadlineMs, (at, copy) => new FillProposed(fill, party, at, copy)))
                {
                    awaiting.Add((party, fill.TradeId));
                }
            }
        }

        if (awaiting.Count == 0)
        {
            Settle();
        }
    }

    private void OnAccepted(FillAccepted accepted)
    {
        if (phase == Phase.Accepts && accepted.Step == step && awaiting.Remove((accepted.Agent, accepted.TradeId)))
        {
            accepts.Add(accepted);
            if (awaiting.Count == 0)
            {
                Settle();
            }
        }
    }

    private void Settle()
    {
        var events = new List<(double AtMs, long Trade, string Agent)>(accepts.Count);
        foreach (var a in accepts)
        {
            var fate = Inbound(MessageKind.FillAccepted, a.Agent, a.TradeId, 0);
            if (!fate.Lost)
            {
                events.Add((a.SentMs + fate.DelayMs, a.TradeId, a.Agent));
            }
        }

        events.Sort((x, y) =>
        {
            var c = x.AtMs.CompareTo(y.AtMs);
            c = c != 0 ? c : x.Trade.CompareTo(y.Trade);
            return c != 0 ? c : string.CompareOrdinal(x.Agent, y.Agent);
        });
        var closesMs = deadlineMs + plan.Protocol.SettlementWindow.TotalMilliseconds;
        foreach (var (atMs, trade, agent) in events)
        {
            if (atMs <= closesMs && session.Accept(trade, agent) is { } fill)
            {
                unacked[(trade, fill.BuyerId)] = new Delivery(fill, 0, atMs);
                unacked[(trade, fill.SellerId)] = new Delivery(fill, 0, atMs);
            }
        }

        foreach (var (trade, reason) in session.ExpireSettlement())
        {
            NotifyVoid(trade, reason);
        }

        settledMs = Math.Max(settledMs, closesMs);
        phase = Phase.Commits;
        DeliverCommits();
    }

    // One round: every unacknowledged commit goes out (a lost one is retried one interval later, at once: no EV can
    // answer a message it never got), then the round waits for the answers of those delivered.
    private void DeliverCommits()
    {
        awaiting.Clear();
        commitAnswers.Clear();
        while (awaiting.Count == 0 && unacked.Count > 0)
        {
            foreach (var (key, d) in unacked.ToList())
            {
                var delivered = Deliver(MessageKind.FillCommitted, key.Agent, key.Trade, d.Attempt, d.SendMs,
                    (at, copy) => new FillCommitted(d.Fill, key.Agent, d.Attempt, at, copy));
                if (delivered)
                {
                    awaiting.Add((key.Agent, key.Trade));
                }
                else
                {
                    Resend(key, d);
                }
            }
        }

        if (awaiting.Count == 0)
        {
            CloseStep();
        }
    }

    private void OnCommitAnswer(CommitAnswer answer)
    {
        if (phase == Phase.Commits && answer.Step == step && awaiting.Remove((answer.Agent, answer.TradeId)))
        {
            commitAnswers.Add(answer);
            if (awaiting.Count == 0)
            {
                CommitRoundDone();
            }
        }
    }

    private void CommitRoundDone()
    {
        commitAnswers.Sort((x, y) =>
        {
            var c = x.TradeId.CompareTo(y.TradeId);
            return c != 0 ? c : string.CompareOrdinal(x.Agent, y.Agent);
        });
        foreach (var a in commitAnswers)
        {
            var key = (a.TradeId, a.Agent);
            if (!unacked.TryGetValue(key, out var d))
            {
                continue; // the party left meanwhile
            }

            if (a.Crashed)
            {
                session.RecordFault(step, a.Agent, "crash");
                Resend(key, d);
                continue;
            }

            var fate = Inbound(MessageKind.CommitAcknowledged, a.Agent, a.TradeId, a.Attempt);
            if (fate.Lost)
            {
                Resend(key, d);
            }
            else
            {
                unacked.Remove(key);
                settledMs = Math.Max(settledMs, a.SentMs + fate.DelayMs);
            }
        }

        DeliverCommits();
    }

    // The commit goes out again one retry interval after its last attempt (its answer, or the commit itself, was lost, or
    // the party crashed on it).
    private void Resend((long Trade, string Agent) key, Delivery d)
    {
        unacked[key] = d with { Attempt = d.Attempt + 1, SendMs = d.SendMs + plan.Protocol.CommitRetryInterval.TotalMilliseconds };
        trace.CommitsResent++;
    }

    private void DropDeliveriesTo(string agent)
    {
        foreach (var key in unacked.Keys.Where(k => k.Agent == agent).ToList())
        {
            unacked.Remove(key);
        }
    }

    private void CloseStep()
    {
        session.CloseStep(settledMs);
        trace.StepsClosed = step + 1;
        plan.Monitor.StepClosed(step + 1);
        awaiting.Clear();
        if (scorer is not null)
        {
            phase = Phase.Scores;
            var grid = plan.Market.Tariff.GridPriceAt(step % plan.Market.Time.StepsPerDay);
            foreach (var score in scorer.Score(step, session.Book, session.StepCommittedTrades, grid))
            {
                if (session.IsParked(score.Agent))
                {
                    Send(facility, score);
                    awaiting.Add((score.Agent, 0));
                }
            }
        }

        if (awaiting.Count == 0)
        {
            NextStep();
        }
    }

    private void OnScoreTaken(ScoreTaken taken)
    {
        if (phase == Phase.Scores && taken.Step == step && awaiting.Remove((taken.Agent, 0)) && awaiting.Count == 0)
        {
            NextStep();
        }
    }

    private void NextStep()
    {
        if (step + 1 < totalSteps && plan.Monitor.StopRequested)
        {
            plan.Ledger.Flush();
            plan.Monitor.Interrupt();
            Context.Stop(Self);
            return;
        }

        RestartIfPlanned(step + 1);
        Begin(step + 1);
    }

    private void NotifyVoid(PendingTrade trade, string reason)
    {
        foreach (var party in new[] { trade.Fill.BuyerId, trade.Fill.SellerId })
        {
            if (session.IsParked(party))
            {
                Deliver(MessageKind.FillVoided, party, trade.Fill.TradeId, 0, deadlineMs, (_, _) => new FillVoided(step, trade.Fill.TradeId, party, reason));
            }
        }
    }

    /// <summary>A commit on its way to one party: the attempt and the simulated time it is (re)sent at.</summary>
    private readonly record struct Delivery(Fill Fill, int Attempt, double SendMs);
}
