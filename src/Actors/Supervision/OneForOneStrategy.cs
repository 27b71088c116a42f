namespace V2V.Actors.Supervision;

/// <summary>
/// Applies the decider's directive to the failing child only. Restarts are limited to
/// <c>maxNrOfRetries</c> within <c>withinTimeRange</c> (measured on the actor clock, so virtual time
/// in virtual mode); beyond it the child is stopped. -1 retries means no limit; null range means "ever".
/// </summary>
public sealed class OneForOneStrategy : SupervisorStrategy
{
    private readonly Func<IActorRef?, Exception, Directive> _decider;

    public OneForOneStrategy(int maxNrOfRetries, TimeSpan? withinTimeRange, Func<Exception, Directive> decider)
        : this(maxNrOfRetries, withinTimeRange, WithoutChild(decider))
    {
    }

    /// <summary>A decider that also sees which child failed (null when asked without one).</summary>
    public OneForOneStrategy(int maxNrOfRetries, TimeSpan? withinTimeRange, Func<IActorRef?, Exception, Directive> decider)
    {
        ArgumentNullException.ThrowIfNull(decider);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNrOfRetries, -1);
        MaxNrOfRetries = maxNrOfRetries;
        WithinTimeRange = withinTimeRange;
        _decider = decider;
    }

    public OneForOneStrategy(Func<Exception, Directive> decider)
        : this(-1, null, decider)
    {
    }

    public int MaxNrOfRetries { get; }

    public TimeSpan? WithinTimeRange { get; }

    public override Directive Decide(Exception cause) => _decider(null, cause);

    public override Directive Decide(IActorRef child, Exception cause) => _decider(child, cause);

    internal override bool RequestRestartPermission(ChildRestartStats stats, TimeSpan now)
    {
        if (MaxNrOfRetries < 0)
        {
            return true;
        }

        if (MaxNrOfRetries == 0)
        {
            return false;
        }

        // A new window opens at the first failure and whenever the old window has fully elapsed.
        // MinValue is checked first: "now - MinValue" overflows.
        bool firstFailure = stats.WindowStart == TimeSpan.MinValue;
        if (firstFailure || (WithinTimeRange is { } range && now - stats.WindowStart > range))
        {
            stats.WindowStart = now;
            stats.RetriesInWindow = 1;
        }
        else
        {
            stats.RetriesInWindow++;
        }

        return stats.RetriesInWindow <= MaxNrOfRetries;
    }

    private static Func<IActorRef?, Exception, Directive> WithoutChild(Func<Exception, Directive> decider)
    {
        ArgumentNullException.ThrowIfNull(decider);
        return (_, cause) => decider(cause);
    }
}
