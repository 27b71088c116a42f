using Akka.Actor;
using Akka.Actor.Internal;

namespace V2V.Agents.Actors;

/// <summary>
/// How a facility supervises its EVs: a planned crash (<see cref="SimulatedCrashException"/>) restarts the EV, which
/// rebuilds its state from the ledger; the plan injects at most one crash per EV and step, so restarts are not limited
/// by wall-clock windows (which would make a run depend on machine speed). Any other exception escalates: it is a bug,
/// and the run stops loudly. Planned crashes are not logged: the ledger records them.
/// </summary>
public sealed class EvSupervision : OneForOneStrategy
{
    public EvSupervision()
        : base(-1, Timeout.InfiniteTimeSpan, e => e is SimulatedCrashException ? Directive.Restart : Directive.Escalate)
    {
    }

    protected override void LogFailure(IActorContext context, IActorRef child, Exception cause, Directive directive)
    {
        if (cause is not SimulatedCrashException)
        {
            base.LogFailure(context, child, cause, directive);
        }
    }
}
