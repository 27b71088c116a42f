using Akka.Actor;
using V2V.Market.Protocol;

namespace V2V.Coordinator.Actors;

/// <summary>
/// The parking facility: the roster of parked EVs (DESIGN "One market step", step 1) and their address by id. On
/// <see cref="BeginStep"/> it sends home the EVs whose stay is over, waits for each one's own report, stops them, then
/// starts the step's arrivals where its <see cref="IEvPlacement"/> puts them (its own children by default, or sharded
/// entities on other nodes) and answers the coordinator with a <see cref="Roster"/>. Every message the coordinator
/// addresses to an EV (<see cref="IWithAgentId"/>) is forwarded to it by id. It supervises its child EVs with the
/// strategy it is given, watches every EV's actor and tells the coordinator of an EV that stopped unannounced.
/// The arrival source is made by the facility itself from <paramref name="newArrivals"/>: nothing mutable is shared
/// with whoever created it.
/// </summary>
public sealed partial class FacilityActor : ReceiveActor, IWithTimers, IWithUnboundedStash
{
    private readonly IArrivalSource arrivals;
    private readonly SupervisorStrategy evStrategy;
    private readonly IEvPlacement placement;

    // Parking order is kept: the coordinator opens steps to EVs in admission order, as the plain market loop does.
    private readonly List<Parked> parked = [];
    private readonly Dictionary<string, IActorRef> byId = new(StringComparer.Ordinal);

    // The EVs' own actors, once known (at once for children, on EvStarted for EVs placed elsewhere): watched.
    private readonly Dictionary<string, IActorRef> watchedById = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, string> agentByActor = [];
    private readonly HashSet<string> departing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DepartureReport> reports = new(StringComparer.Ordinal);
    // EVs placed elsewhere whose start is not confirmed yet: the step's roster waits for them (see RetryStarts).
    private readonly Dictionary<string, ArrivalSpec> starting = new(StringComparer.Ordinal);
    private Roster? pendingRoster;

    // EVs lost while the roster waits for starts: told after the roster, which may be the very one that admits them.
    private readonly List<AgentLost> lostBeforeRoster = [];
    private int step;
    private bool ending;

    // A scheduled node loss: announced just before its step's BeginStep; arrivals wait until the node has gone.
    private LoseNode? nodeLoss;
    private bool nodeGoing;

    public FacilityActor(Func<IArrivalSource> newArrivals, SupervisorStrategy evStrategy, IEvPlacement placement)
    {
        arrivals = newArrivals();
        this.evStrategy = evStrategy;
        this.placement = placement;
        Running();
    }

    /// <summary>A facility whose EVs are its own children (<see cref="LocalPlacement"/>).</summary>
    public static Props Props(Func<IArrivalSource> newArrivals, SupervisorStrategy evStrategy) =>
        Props(newArrivals, evStrategy, LocalPlacement.Instance);

    public static Props Props(Func<IArrivalSource> newArrivals, SupervisorStrategy evStrategy, IEvPlacement placement) =>
        Akka.Actor.Props.Create(() => new FacilityActor(newArrivals, evStrategy, placement));

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    protected override SupervisorStrategy SupervisorStrategy() => evStrategy;

    private void Running()
    {
        Receive<BeginStep>(b => Begin(b.Step, b.Gone, ending: false));
        Receive<EndRun>(e => Begin(e.Step, e.Gone, ending: true));
        Receive<DepartureReport>(OnReport);
        Receive<LeavingForGood>(l => Retire(l.Agent));
        Receive<Terminated>(OnTerminated);
        Receive<EvStarted>(s => Watch(s.Agent, Sender));
        Receive<EvFailed>(f => throw new InvalidOperationException($"{f.Agent} failed: {f.Cause}"));
        Receive<LoseNode>(l => nodeLoss = l);

        // A fresh facility whose coordinator resumed on another cluster member (FacilityActor.Resume.cs).
        Receive<ResumeRoster>(OnResume);
        Receive<NodeGone>(_ =>
        {
            nodeGoing = false;
            SendHome();
            DeparturesDoneIfReady();
        });
        Receive<RetryStarts>(_ =>
        {
            foreach (var spec in starting.Values)
            {
                placement.Start(Context, spec);
            }
        });
        Receive<IWithAgentId>(m =>
        {
            if (byId.TryGetValue(m.Agent, out var ev))
            {
                placement.Send(ev, m, Sender);
            }
        });
    }

    private void Begin(int newStep, IReadOnlyList<string> gone, bool ending)
    {
        foreach (var agent in gone)
        {
            Retire(agent);
        }

        step = newStep;
        this.ending = ending;
        reports.Clear();
        if (nodeLoss is { } loss && loss.Step == step)
        {
            // Its EVs were in the gone list, retired above: nothing of this run is left there when it goes. The EVs
            // leaving at this step are sent home once it has gone: should this facility's own member be the one that
            // goes, the facility resumed elsewhere finds them as they were at the last close.
            nodeLoss = null;
            nodeGoing = true;
            placement.LoseNode(Context, loss.Node, loss.Nodes);
            return;
        }

        SendHome();
        DeparturesDoneIfReady();
    }

    private void SendHome()
    {
        foreach (var p in parked)
        {
            if (ending || p.DepartureStep <= step)
            {
                departing.Add(p.Agent);
                placement.Send(byId[p.Agent], new Depart(step, p.Agent), Self);
            }
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
        DeparturesDoneIfReady();
    }

    // The EV announced its end (departure or dropout): stop it and forget it, so its Terminated is not a loss.
    private void Retire(string agent)
    {
        if (byId.Remove(agent, out var route))
        {
            if (watchedById.Remove(agent, out var ev))
            {
                Context.Unwatch(ev);
                agentByActor.Remove(ev);
            }

            placement.Stop(Context, route, agent);
            parked.RemoveAll(p => p.Agent == agent);
        }
    }

    // An EV still on the roster whose actor is now known: watched until it retires (a placed EV may answer after that).
    private void Watch(string agent, IActorRef ev)
    {
        if (byId.ContainsKey(agent) && watchedById.TryAdd(agent, ev))
        {
            Context.Watch(ev);
            agentByActor[ev] = agent;
            if (starting.Remove(agent) && starting.Count == 0 && pendingRoster is { } roster)
            {
                Timers.Cancel(RetryStarts.Instance);
                pendingRoster = null;
                Context.Parent.Tell(roster, Self);
                foreach (var lost in lostBeforeRoster)
                {
                    Context.Parent.Tell(lost, Self);
                }

                lostBeforeRoster.Clear();
            }
        }
    }

    private void OnTerminated(Terminated t)
    {
        if (!agentByActor.Remove(t.ActorRef, out var agent) || !byId.Remove(agent))
        {
            return;
        }

        watchedById.Remove(agent);

        // Stopped unannounced: its supervisor gave up on it, or (an EV placed on another member) its member is gone.
        Lost(agent, t.AddressTerminated ? MarketCoordinatorActor.LostWithNode : "lost");
    }

    private void Lost(string agent, string reason)
    {
        parked.RemoveAll(p => p.Agent == agent);

        // An EV whose start this step's pending roster announces, lost before that roster went out (its member died
        // meanwhile): were the loss told first, the coordinator would drop an EV it does not know, then admit it and
        // wait for its answer for ever.
        var lost = new AgentLost(step, agent, reason);
        if (pendingRoster is null)
        {
            Context.Parent.Tell(lost, Self);
        }
        else
        {
            lostBeforeRoster.Add(lost);
        }

        if (departing.Remove(agent))
        {
            DeparturesDoneIfReady();
        }
    }

    private void DeparturesDoneIfReady()
    {
        if (departing.Count == 0 && !nodeGoing)
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
            var route = placement.Start(Context, s);
            parked.Add(new Parked(s.Agent, s.DepartureStep));
            byId[s.Agent] = route;
            if (placement.RouteIsTheEv)
            {
                Watch(s.Agent, route);
            }
            else
            {
                starting[s.Agent] = s;
            }

            admitted.Add(new Admission(s.Agent, s.Soc, s.TargetSoc, s.DepartureStep, s.Silent));
        }

        var roster = new Roster(step, departures, admitted);
        if (starting.Count == 0)
        {
            Context.Parent.Tell(roster, Self);
            return;
        }

        // The roster waits until every EV placed elsewhere has confirmed its start; a start lost with a member that
        // died (or routed to it just before it was removed) is sent again until a live member takes it. The wall clock
        // only decides when to ask again, never what the ledger says: no market message has reached these EVs yet.
        pendingRoster = roster;
        Timers.StartPeriodicTimer(RetryStarts.Instance, RetryStarts.Instance, StartRetryInterval);
    }

    private static readonly TimeSpan StartRetryInterval = TimeSpan.FromSeconds(1);

    private sealed record Parked(string Agent, int DepartureStep);

    private sealed class RetryStarts : INoSerializationVerificationNeeded
    {
        public static RetryStarts Instance { get; } = new();
    }
}
