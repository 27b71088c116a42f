using Akka.Actor;
using V2V.Coordinator.Recovery;
using V2V.Market.Faults;

namespace V2V.Coordinator.Actors;

/// <summary>
/// The facility's side of a coordinator restart (<see cref="PlannedCoordinatorRestart"/>): Akka restarts it after its
/// coordinator, with its EVs kept as children (each of them restarts in turn and rebuilds its state from the ledger, as
/// after a crash). The new instance holds nothing until its coordinator sends the roster rebuilt from the ledger
/// (<see cref="ResumeRoster"/>); it keeps every other message until then. It draws the arrivals of the steps already
/// run again, so its arrival process stands where it stood, and checks they are the ledger's: arrivals are a pure
/// function of the seed, and a resumed run that drew others would not be the same run.
/// </summary>
public sealed partial class FacilityActor
{
    // The children (the EVs) outlive this instance: the next one takes them over from the roster the ledger gives.
    protected override void PreRestart(Exception reason, object message)
    {
        if (reason is not PlannedCoordinatorRestart)
        {
            base.PreRestart(reason, message);
        }
    }

    protected override void PostRestart(Exception reason) => Become(() =>
    {
        Receive<ResumeRoster>(OnResume);
        ReceiveAny(_ => Stash.Stash());
    });

    private void OnResume(ResumeRoster resume)
    {
        if (!placement.RouteIsTheEv && resume.Parked.Count > 0)
        {
            throw new InvalidOperationException("a facility whose EVs are placed on other members cannot resume yet");
        }

        var drawn = new List<string>(resume.Arrived.Count);
        for (var s = 0; s < resume.Step; s++)
        {
            foreach (var spec in arrivals.ArrivalsAt(s))
            {
                drawn.Add(spec.Agent);
            }
        }

        if (!drawn.SequenceEqual(resume.Arrived, StringComparer.Ordinal))
        {
            var at = drawn.Zip(resume.Arrived).TakeWhile(p => p.First == p.Second).Count();
            throw new InvalidOperationException(
                $"the arrivals drawn again for steps 0 to {resume.Step - 1} are not the ledger's: arrival {at + 1} is " +
                $"{(at < drawn.Count ? drawn[at] : "none")} here, {(at < resume.Arrived.Count ? resume.Arrived[at] : "none")} in the ledger");
        }

        step = resume.Step;
        var lost = new List<string>();
        foreach (var ev in resume.Parked)
        {
            var child = Context.Child(ev.Agent);
            if (child.IsNobody())
            {
                lost.Add(ev.Agent);
                continue;
            }

            parked.Add(new Parked(ev.Agent, ev.DepartureStep));
            byId[ev.Agent] = child;
            Watch(ev.Agent, child);
        }

        // An EV the ledger has gone but whose actor had not been stopped yet when the coordinator failed.
        foreach (var child in Context.GetChildren())
        {
            if (!byId.ContainsKey(child.Path.Name))
            {
                Context.Stop(child);
            }
        }

        Become(Running);
        Stash.UnstashAll();
        foreach (var agent in lost)
        {
            Lost(agent, "lost");
        }
    }
}

/// <summary>
/// From a resumed coordinator to its facility: the step about to open, the EVs parked (admission order, departure step)
/// and every EV that arrived before that step, in arrival order, all as the ledger has them. Local: a facility is made
/// by its coordinator, on its member.
/// </summary>
public sealed record ResumeRoster(int Step, IReadOnlyList<RosterEntry> Parked, IReadOnlyList<string> Arrived) : INoSerializationVerificationNeeded;
