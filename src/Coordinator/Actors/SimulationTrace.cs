using V2V.Market.Training;

namespace V2V.Coordinator.Actors;

/// <summary>
/// What the coordinator observed that the ledger does not hold: when each step opened (for order arrival times), what
/// the simulated network did, how many commits it had to resend, and whether the run reached its end. Written by the
/// coordinator only (each incarnation in turn: it outlives a coordinator restart in its <see cref="RunMonitor"/>); handed
/// to the runner when the run is over.
/// </summary>
public sealed class SimulationTrace
{
    /// <summary>Simulated ms at which step i opened, by step index.</summary>
    public List<double> StepOpenedMs { get; } = [];

    public int StepsClosed { get; internal set; }

    public long CommitsResent { get; internal set; }

    public long OrdersRefused { get; internal set; }

    /// <summary>Messages the coordinator sent or received (control plane included, duplicates included).</summary>
    public long Messages { get; internal set; }

    public long MessagesDropped { get; internal set; }

    public long MessagesDuplicated { get; internal set; }

    public long MessagesDelayed { get; internal set; }

    /// <summary>Simulated time at which the run ended: the last step's end, or later if its last commit came later.</summary>
    public TimeSpan Duration { get; internal set; }

    public bool Finished { get; internal set; }

    /// <summary>How many times the coordinator restarted and resumed from its ledger (planned restarts).</summary>
    public int CoordinatorRestarts { get; internal set; }

    /// <summary>When training: what the coordinator's scorer summed over the run (null otherwise).</summary>
    public ScoreTotals? Scores { get; internal set; }

    /// <summary>
    /// The trace a coordinator on another cluster member reported (the run's member rebuilds it from the numbers it
    /// received; training does not run on a cluster, so there are no scores).
    /// </summary>
    public static SimulationTrace Restore(
        IEnumerable<double> stepOpenedMs, int stepsClosed, long commitsResent, long ordersRefused, long messages, long dropped, long duplicated, long delayed, TimeSpan duration, bool finished)
    {
        var trace = new SimulationTrace
        {
            StepsClosed = stepsClosed,
            CommitsResent = commitsResent,
            OrdersRefused = ordersRefused,
            Messages = messages,
            MessagesDropped = dropped,
            MessagesDuplicated = duplicated,
            MessagesDelayed = delayed,
            Duration = duration,
            Finished = finished,
        };
        trace.StepOpenedMs.AddRange(stepOpenedMs);
        return trace;
    }
}
