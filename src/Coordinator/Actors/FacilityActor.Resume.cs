using Akka.Actor;
using V2V.Coordinator.Recovery;
using V2V.Market.Faults;
using V2V.Market.Protocol;

namespace V2V.Coordinator.Actors;

/// <summary>
/// The facility's side of a coordinator restart (<see cref="PlannedCoordinatorRestart"/>): Akka restarts it after its
/// coordinator, with its EVs kept as children (each of them restarts in turn and rebuilds its state from the ledger, as
/// after a crash). The new instance holds nothing until its coordinator sends the roster rebuilt from the ledger
/// (<see cref="ResumeRoster"/>); it keeps every other message until then. It draws the arrivals of the steps already
/// run again, so its arrival process stands where it stood, and checks they are the ledger's: arrivals are a pure
/// function of the seed, and a resumed run that drew others would not be the same run.
/// <para>
/// A facility made anew on another cluster member, after the member of its coordinator was lost, goes the same way, but
/// with no child to keep: EVs placed elsewhere (sharded) are re-attached where they still run, the others are lost with
/// the node (docs/cluster.md, "A facility whose member is lost").
/// </para>
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
        if (resume.OnAnotherMember)
        {
            ResumeOnAnotherMember(resume.Parked);
            return;
        }

        if (!placement.RouteIsTheEv && resume.Parked.Count > 0)
        {
            throw new InvalidOperationException("a coordinator restart cannot keep EVs placed on other members");
        }

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

    // A new facility on another member than its lost predecessor's: EVs placed elsewhere are taken over where they still
    // run; the step's roster (kept until then) goes out after the verdicts on the others, in admission order.
    private void ResumeOnAnotherMember(IReadOnlyList<RosterEntry> wanted)
    {
        if (placement.RouteIsTheEv)
        {
            // They were this facility's children, on the member that was lost.
            foreach (var ev in wanted)
            {
                Lost(ev.Agent, MarketCoordinatorActor.LostWithNode);
            }

            return;
        }

        var pending = new HashSet<string>(StringComparer.Ordinal);
        var missing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ev in wanted)
        {
            byId[ev.Agent] = placement.Reattach(Context, ev.Agent, step);
            parked.Add(new Parked(ev.Agent, ev.DepartureStep));
            pending.Add(ev.Agent);
        }

        void Answered(string agent, IActorRef? ev)
        {
            if (!pending.Remove(agent))
            {
                return;
            }

            if (ev is null)
            {
                missing.Add(agent);
                byId.Remove(agent);
                parked.RemoveAll(p => p.Agent == agent);
            }
            else
            {
                Watch(agent, ev);
            }

            if (pending.Count > 0)
            {
                return;
            }

            Timers.Cancel(RetryStarts.Instance);
            foreach (var lost in wanted.Where(ev => missing.Contains(ev.Agent)))
            {
                Context.Parent.Tell(new AgentLost(step, lost.Agent, MarketCoordinatorActor.LostWithNode), Self);
            }

            Become(Running);
            Stash.UnstashAll();
        }

        if (pending.Count == 0)
        {
            return;
        }

        // Asked again as a start is: an answer lost with a member that went meanwhile, or a shard still being placed.
        Timers.StartPeriodicTimer(RetryStarts.Instance, RetryStarts.Instance, StartRetryInterval);
        Become(() =>
        {
            Receive<EvStarted>(s => Answered(s.Agent, Sender));
            Receive<AgentLost>(l => Answered(l.Agent, null));
            Receive<EvFailed>(f => throw new InvalidOperationException($"{f.Agent} failed: {f.Cause}"));
            Receive<RetryStarts>(_ =>
            {
                foreach (var agent in pending)
                {
                    placement.Reattach(Context, agent, step);
                }
            });
            ReceiveAny(_ => Stash.Stash());
        });
    }
}

/// <summary>
/// From a resumed coordinator to its facility: the step about to open, the EVs parked (admission order, departure step)
/// and every EV that arrived before that step, in arrival order, all as the ledger has them. With
/// <paramref name="OnAnotherMember"/> the facility is new, on another cluster member than the lost one before it, and
/// takes over those of <paramref name="Parked"/> it can reach. Local: a facility is made by its coordinator, on its member.
/// </summary>
public sealed record ResumeRoster(int Step, IReadOnlyList<RosterEntry> Parked, IReadOnlyList<string> Arrived, bool OnAnotherMember = false)
    : INoSerializationVerificationNeeded;
