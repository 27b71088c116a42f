namespace V2V.Simulation;

/// <summary>
/// A simulation stopped on request (SIGINT, SIGTERM) at a step boundary: every step before <paramref name="Step"/> is
/// closed in the ledger, and <paramref name="Step"/> never opened.
/// </summary>
public sealed class SimulationInterruptedException(int step)
    : Exception($"interrupted after {step} closed steps")
{
    public int Step { get; } = step;

    /// <summary>In a run of several facilities, the steps each facility closed (each stopped at its own step's end); else empty.</summary>
    public IReadOnlyList<int> FacilitySteps { get; init; } = [];
}
