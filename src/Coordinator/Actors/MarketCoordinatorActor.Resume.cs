using Akka.Actor;
using V2V.Coordinator.Ledger;
using V2V.Coordinator.Recovery;
using V2V.Market.Faults;

namespace V2V.Coordinator.Actors;

/// <summary>
/// A coordinator that fails at a step boundary resumes from its ledger (DESIGN "Faults": coordinator restart). The
/// planned fault (<see cref="CoordinatorRestartPlan"/>) throws <see cref="PlannedCoordinatorRestart"/> when step k is
/// about to open; the supervisor restarts the actor in place (the same address, so the facility and the EVs still
/// reach it), and the new instance reads the ledger written so far back from the sink, rebuilds everything it holds
/// from those records (<see cref="LedgerResume"/>), hands its facility the roster the ledger gives, and opens step k:
/// the ledger it goes on writing is the one an undisturbed run writes. The facility and the EVs are restarted by Akka
/// after it and rebuild from the ledger too (the EVs as after a crash). A ledger it cannot resume from (corrupt, cut off,
/// another run's, not ending at the close of step k - 1) stops the run, naming the step and the cause.
/// <para>
/// Only the planned restart resumes. A restart forced after any other failure stops the new instance before it writes:
/// the failure is in the code or the data, and a resumed coordinator would meet it again at the same step.
/// </para>
/// </summary>
public sealed partial class MarketCoordinatorActor
{
    private void RestartIfPlanned(int next)
    {
        if (plan.Restarts?.RestartsBefore(next) == true)
        {
            throw new PlannedCoordinatorRestart(next);
        }
    }

    // Training's scorer sums critic rows that only the EVs' orders carry, not the ledger: a run that trains cannot resume.
    private void RefuseRestartsWhenTraining()
    {
        if (scorer is not null && plan.Restarts?.Any == true)
        {
            throw new InvalidOperationException("a training run cannot plan coordinator restarts: its scores are not in the ledger");
        }
    }

    // A planned restart keeps the facility and its EVs: Akka restarts them after this actor, and they resume too.
    protected override void PreRestart(Exception reason, object message)
    {
        if (reason is not PlannedCoordinatorRestart)
        {
            base.PreRestart(reason, message);
        }
    }

    protected override void PostRestart(Exception reason)
    {
        if (reason is not PlannedCoordinatorRestart planned)
        {
            Context.Stop(Self);
            return;
        }

        ResumePoint point;
        try
        {
            point = LedgerResume.At(planned.Step, plan.Ledger.ReadBack(), plan.Market, plan.NewMechanism(), plan.Ledger);
        }
        catch (Exception e) when (e is LedgerResumeException or IOException or UnauthorizedAccessException)
        {
            // Fail as a message, not from here: the supervisor then names this cause, and nothing is written meanwhile.
            Become(() =>
            {
                Receive<ResumeFailed>(f => throw f.Cause);
                ReceiveAny(_ => { });
            });
            Self.Tell(new ResumeFailed(e is LedgerResumeException ? e : new LedgerResumeException(
                $"cannot resume before step {planned.Step} from the ledger: {e.GetType().Name}: {e.Message}")));
            return;
        }

        Resume(point);
    }

    private void Resume(ResumePoint point)
    {
        session = point.Session;
        facility = Context.Child("facility");
        settledMs = point.SettledMs;
        foreach (var ev in point.Parked)
        {
            parked.Add(new Parked(ev.Agent, ev.Silent));
        }

        gone.AddRange(point.Gone);
        trace.StepOpenedMs.Clear();
        trace.StepOpenedMs.AddRange(point.StepOpenedMs);
        trace.CoordinatorRestarts++;
        Send(facility, new ResumeRoster(point.Step, point.Parked, point.Arrived));
        Begin(point.Step);
    }

    /// <summary>
    /// A coordinator made on another cluster member after the member its facility ran on was lost (docs/cluster.md,
    /// "A facility whose member is lost"): it rebuilds its state from the records of the steps that member closed, as a
    /// planned restart does, and opens the step that was open there again; what that member held of the open step is
    /// gone with it. Its new facility draws the arrivals of the steps already run again and takes over the EVs parked
    /// (<see cref="ResumeRoster"/>): those placed on members still up go on in the state of the last close, the others
    /// (those on the lost member, or every one when they were the lost facility's children) are reported lost with the
    /// node, in admission order, before the step's roster. The EVs a scheduled loss of this very step takes are not
    /// looked for: the loss gives them their verdict here, as in one process.
    /// </summary>
    private void ResumeOnAnotherMember(LedgerFile records)
    {
        var next = records.Entries.Count(e => e.Entry is StepClosed);
        var point = LedgerResume.At(next, records, plan.Market, plan.NewMechanism(), plan.Ledger);
        facility = Context.ActorOf(plan.Facility, "facility");
        session = point.Session;
        settledMs = point.SettledMs;
        step = point.Step;
        trace.StepOpenedMs.AddRange(point.StepOpenedMs);
        trace.StepsClosed = point.Step;
        foreach (var ev in point.Parked)
        {
            parked.Add(new Parked(ev.Agent, ev.Silent));
        }

        var scheduled = plan.NodeLoss is { } loss && loss.AtStep == point.Step ? loss : null;
        var sought = point.Parked.Where(p => scheduled?.Loses(p.Agent) != true).ToList();
        Send(facility, new ResumeRoster(point.Step, sought, point.Arrived, OnAnotherMember: true));
        Begin(point.Step);
    }

    private sealed record ResumeFailed(Exception Cause) : INoSerializationVerificationNeeded;
}
