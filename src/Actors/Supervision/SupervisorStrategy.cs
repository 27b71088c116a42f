namespace V2V.Actors.Supervision;

/// <summary>Decides what happens to a failed child. Only one-for-one exists here.</summary>
public abstract class SupervisorStrategy
{
    /// <summary>Akka's default: stop on initialisation failure, restart on anything else, no limit.</summary>
    public static readonly SupervisorStrategy DefaultStrategy = new OneForOneStrategy(DefaultDecider);

    /// <summary>Stops any failing child.</summary>
    public static readonly SupervisorStrategy StoppingStrategy = new OneForOneStrategy(static _ => Directive.Stop);

    public static Directive DefaultDecider(Exception cause) =>
        cause is ActorInitializationException ? Directive.Stop : Directive.Restart;

    public abstract Directive Decide(Exception cause);

    /// <summary>Decides for a known child; by default the child does not matter.</summary>
    public virtual Directive Decide(IActorRef child, Exception cause) => Decide(cause);

    /// <summary>
    /// Counts a restart against the limit; false means the limit is exceeded and the child is stopped.
    /// <paramref name="stats"/> belongs to the child and is only touched by the supervisor.
    /// </summary>
    internal abstract bool RequestRestartPermission(ChildRestartStats stats, TimeSpan now);
}

/// <summary>Per-child restart bookkeeping, kept by the supervisor.</summary>
internal sealed class ChildRestartStats
{
    public int RetriesInWindow { get; set; }

    public TimeSpan WindowStart { get; set; } = TimeSpan.MinValue;
}
