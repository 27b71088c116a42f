using Akka.Actor;
using Akka.Cluster.Sharding;
using V2V.Agents.Actors;
using V2V.Market.Protocol;

namespace V2V.Simulation.Cluster;

/// <summary>
/// An EV as a cluster-sharded entity: a shell that is made empty by its shard region and becomes the EV on its first
/// message, <see cref="StartEv"/>, which carries the vehicle; the run's configuration comes from this member's
/// <see cref="RunRegistry"/>. The EV itself is the same <see cref="EvActor"/> as in one process, the shell's child, and
/// the shell supervises it the same way: a planned crash restarts it (it rebuilds its state from the ledger), anything
/// else is a bug, reported to the facility as <see cref="EvFailed"/>, which stops the run. The shell passes the EV's
/// notices to its parent (departure report, leaving for good) on to the facility, answers the start with
/// <see cref="EvStarted"/> so the facility watches it, and passivates on <see cref="RetireEv"/>.
/// </summary>
public sealed class EvEntity : ReceiveActor
{
    private readonly SupervisorStrategy strategy;
    private IActorRef facility = ActorRefs.Nobody;
    private IActorRef ev = ActorRefs.Nobody;
    private string agent = "";

    public EvEntity()
    {
        strategy = new Supervision(Decide);
        Receive<StartEv>(Start);

        // Nothing else is ever sent before the start: the facility addresses only EVs it started, in order.
        ReceiveAny(m => throw new InvalidOperationException($"{Self.Path.Name}: {m.GetType().Name} before StartEv"));
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new EvEntity());

    protected override SupervisorStrategy SupervisorStrategy() => strategy;

    private void Start(StartEv start)
    {
        var run = RunRegistry.For(Context.System).Find(start.Run);
        facility = Sender;
        agent = start.Agent;
        if (run is null)
        {
            facility.Tell(new EvFailed(agent, $"member {Akka.Cluster.Cluster.Get(Context.System).SelfAddress} was never told of run {start.Run}"), Self);
            return;
        }

        var vehicle = start.Vehicle;
        ev = Context.ActorOf(EvActor.Props(() => run.NewState(vehicle), run.Faults, start.Market, start.Silent, run.Training?.Learner), "ev");
        facility.Tell(new EvStarted(agent), Self);
        Become(Running);
    }

    private void Running()
    {
        Receive<DepartureReport>(r => facility.Tell(r, Self));
        Receive<LeavingForGood>(l => facility.Tell(l, Self));
        Receive<RetireEv>(_ => Context.Parent.Tell(new Passivate(PoisonPill.Instance), Self));

        // The facility asks again while it has not seen our EvStarted (lost, or slower than its retry).
        Receive<StartEv>(_ => facility.Tell(new EvStarted(agent), Self));
        ReceiveAny(m => ev.Forward(m));
    }

    private Directive Decide(Exception cause)
    {
        if (cause is SimulatedCrashException)
        {
            return Directive.Restart;
        }

        facility.Tell(new EvFailed(agent, $"{cause.GetType().Name}: {cause.Message.ReplaceLineEndings(" ")}"), Self);
        return Directive.Stop;
    }

    // As EvSupervision: restarts unlimited in wall-clock time, planned crashes not logged (the ledger records them).
    private sealed class Supervision(Func<Exception, Directive> decide) : OneForOneStrategy(-1, Timeout.InfiniteTimeSpan, decide)
    {
        protected override void LogFailure(IActorContext context, IActorRef child, Exception cause, Directive directive)
        {
            if (cause is not SimulatedCrashException)
            {
                base.LogFailure(context, child, cause, directive);
            }
        }
    }
}
