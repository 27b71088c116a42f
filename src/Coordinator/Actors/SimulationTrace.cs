namespace V2V.Coordinator.Actors;

/// <summary>
/// What the coordinator observed that the ledger does not hold: when each step opened (for order arrival times),
/// how many commits it had to resend, and whether the run reached its end. Written by the coordinator only, read
/// by the runner after the kernel stops (virtual time is single-threaded).
/// </summary>
public sealed class SimulationTrace
{
    /// <summary>Virtual ms at which step i opened, by step index.</summary>
    public List<double> StepOpenedMs { get; } = [];

    public int StepsClosed { get; internal set; }

    public long CommitsResent { get; internal set; }

    public long OrdersRefused { get; internal set; }

    public bool Finished { get; internal set; }
}
