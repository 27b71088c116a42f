using V2V.Actors;
using V2V.Actors.Supervision;
using V2V.Market.Protocol;

namespace V2V.Coordinator.Actors;

/// <summary>
/// The parking facility (DESIGN "One market step", step 1): on <see cref="BeginStep"/> it sends home the EVs whose
/// stay is over, waits until each has stopped (they report their final state to the coordinator themselves), then
/// starts the step's arrivals as its children and answers the coordinator with a <see cref="Roster"/>. It
/// supervises the EVs with the strategy it is given (the runner restarts an EV after a planned crash and escalates
/// any other failure, which ends the run) and tells the coordinator of any EV that stopped unasked.
/// </summary>
public sealed class FacilityActor : ReceiveActor
{
    private readonly IArrivalSource arrivals;
    private readonly SupervisorStrategy evStrategy;

    // Admission order is kept: the coordinator opens steps to EVs in this order, as the reference loop does.
    private readonly List<Parked> parked = [];
    private readonly Dictionary<IActorRef, Parked> byRef = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<IActorRef> departing = new(ReferenceEqualityComparer.Instance);
    private int step;
    private bool ending;

    public FacilityActor(IArrivalSource arrivals, SupervisorStrategy evStrategy)
    {
        this.arrivals = arrivals;
        this.evStrategy = evStrategy;
        Receive<BeginStep>(b => Begin(b.Step, ending: false));
        Receive<EndRun>(e => Begin(e.Step, ending: true));
        Receive<Terminated>(OnTerminated);
    }

    protected override SupervisorStrategy SupervisorStrategy() => evStrategy;

    private void Begin(int newStep, bool ending)
    {
        step = newStep;
        this.ending = ending;
        foreach (var p in parked)
        {
            if (ending || p.DepartureStep <= step)
            {
                departing.Add(p.Ref);
                p.Ref.Tell(new Depart(step), Self);
            }
        }

        if (departing.Count == 0)
        {
            DeparturesDone();
        }
    }

    private void OnTerminated(Terminated t)
    {
        if (!byRef.Remove(t.ActorRef, out var p))
        {
            return;
        }

        parked.Remove(p);
        if (departing.Remove(t.ActorRef))
        {
            if (departing.Count == 0)
            {
                DeparturesDone();
            }

            return;
        }

        // Stopped without being asked: a dropout (already reported) or a crash its supervisor gave up on.
        Context.Parent.Tell(new AgentLost(step, p.Agent, "lost"), Self);
    }

    private void DeparturesDone()
    {
        if (ending)
        {
            Context.Parent.Tell(new RunEnded(step), Self);
            return;
        }

        var specs = arrivals.ArrivalsAt(step);
        var admitted = new List<Admission>(specs.Count);
        foreach (var s in specs)
        {
            var ev = Context.ActorOf(s.PropsFor(Context.Parent), s.Agent);
            Context.Watch(ev);
            var p = new Parked(s.Agent, ev, s.DepartureStep);
            parked.Add(p);
            byRef[ev] = p;
            admitted.Add(new Admission(s.Agent, ev, s.Soc, s.TargetSoc, s.DepartureStep, s.Silent));
        }

        Context.Parent.Tell(new Roster(step, admitted), Self);
    }

    private sealed record Parked(string Agent, IActorRef Ref, int DepartureStep);
}
