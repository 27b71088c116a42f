using Akka.Actor;
using V2V.Market.Protocol;

namespace V2V.Coordinator.Actors;

/// <summary>
/// The parking facility: the roster of parked EVs (DESIGN "One market step", step 1) and their address by id. On
/// <see cref="BeginStep"/> it sends home the EVs whose stay is over, waits for each one's own report, stops them, then
/// starts the step's arrivals as its children and answers the coordinator with a <see cref="Roster"/>. Every message the
/// coordinator addresses to an EV (<see cref="IWithAgentId"/>) is forwarded to it by id, as a shard region would. It
/// supervises the EVs with the strategy it is given and tells the coordinator of an EV that stopped unannounced.
/// The arrival source is made by the facility itself from <paramref name="newArrivals"/>: nothing mutable is shared
/// with whoever created it.
/// </summary>
public sealed class FacilityActor : ReceiveActor
{
    private readonly IArrivalSource arrivals;
    private readonly SupervisorStrategy evStrategy;

    // Parking order is kept: the coordinator opens steps to EVs in admission order, as the plain market loop does.
    private readonly List<Parked> parked = [];
    private readonly Dictionary<string, IActorRef> byId = new(StringComparer.Ordinal);
    private readonly HashSet<string> departing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DepartureReport> reports = new(StringComparer.Ordinal);
    private int step;
    private bool ending;

    public FacilityActor(Func<IArrivalSource> newArrivals, SupervisorStrategy evStrategy)
    {
        arrivals = newArrivals();
        this.evStrategy = evStrategy;
        Receive<BeginStep>(b => Begin(b.Step, b.Gone, ending: false));
        Receive<EndRun>(e => Begin(e.Step, e.Gone, ending: true));
        Receive<DepartureReport>(OnReport);
        Receive<LeavingForGood>(l => Retire(l.Agent));
        Receive<Terminated>(OnTerminated);
        Receive<IWithAgentId>(m =>
        {
            if (byId.TryGetValue(m.Agent, out var ev))
            {
                ev.Forward(m);
            }
        });
    }

    public static Props Props(Func<IArrivalSource> newArrivals, SupervisorStrategy evStrategy) =>
        Akka.Actor.Props.Create(() => new FacilityActor(newArrivals, evStrategy));

    protected override SupervisorStrategy SupervisorStrategy() => evStrategy;

    private void Begin(int newStep, IReadOnlyList<string> gone, bool ending)
    {
        foreach (var agent in gone)
        {
            Retire(agent);
        }

        step = newStep;
        this.ending = ending;
        reports.Clear();
        foreach (var p in parked)
        {
            if (ending || p.DepartureStep <= step)
            {
                departing.Add(p.Agent);
                byId[p.Agent].Tell(new Depart(step, p.Agent), Self);
            }
        }

        if (departing.Count == 0)
        {
            DeparturesDone();
        }
    }

    private void OnReport(DepartureReport report)
    {
        if (!departing.Remove(report.Agent))
        {
            return;
        }

        reports[report.Agent] = report;
        Retire(report.Agent);
        if (departing.Count == 0)
        {
            DeparturesDone();
        }
    }

    // The EV announced its end (departure or dropout): stop it and forget it, so its Terminated is not a loss.
    private void Retire(string agent)
    {
        if (byId.Remove(agent, out var ev))
        {
            Context.Unwatch(ev);
            Context.Stop(ev);
            parked.RemoveAll(p => p.Agent == agent);
        }
    }

    private void OnTerminated(Terminated t)
    {
        var agent = t.ActorRef.Path.Name;
        if (!byId.Remove(agent))
        {
            return;
        }

        // Stopped unannounced: its supervisor gave up on it.
        parked.RemoveAll(p => p.Agent == agent);
        Context.Parent.Tell(new AgentLost(step, agent, "lost"), Self);
        if (departing.Remove(agent) && departing.Count == 0)
        {
            DeparturesDone();
        }
    }

    private void DeparturesDone()
    {
        // Sorted by EV id: the order the reports physically came in is not reproducible.
        var departures = reports.Values.OrderBy(r => r.Agent, StringComparer.Ordinal).ToList();
        if (ending)
        {
            Context.Parent.Tell(new RunEnded(step, departures), Self);
            return;
        }

        var specs = arrivals.ArrivalsAt(step);
        var admitted = new List<Admission>(specs.Count);
        foreach (var s in specs)
        {
            var ev = Context.ActorOf(s.PropsFor(Context.Parent), s.Agent);
            Context.Watch(ev);
            parked.Add(new Parked(s.Agent, s.DepartureStep));
            byId[s.Agent] = ev;
            admitted.Add(new Admission(s.Agent, s.Soc, s.TargetSoc, s.DepartureStep, s.Silent));
        }

        Context.Parent.Tell(new Roster(step, departures, admitted), Self);
    }

    private sealed record Parked(string Agent, int DepartureStep);
}
