namespace V2V.Simulation;

/// <summary>
/// A simulation stopped by an internal failure: <paramref name="Step"/> is the step that was open (the first step the
/// ledger does not close), <paramref name="Failed"/> names what failed (the market, the learner, ...), and
/// <see cref="Exception.InnerException"/> is the cause.
/// </summary>
public sealed class SimulationFailedException(int step, string failed, Exception cause)
    : Exception($"{failed} failed at step {step}: {OneLine(cause)}", cause)
{
    public int Step { get; } = step;

    public string Failed { get; } = failed;

    /// <summary>In a run of several facilities, the steps each facility had closed when the run stopped; else empty.</summary>
    public IReadOnlyList<int> FacilitySteps { get; init; } = [];

    /// <summary>The cause as one line: its type and message, line breaks folded.</summary>
    public string Cause { get; } = OneLine(cause);

    private static string OneLine(Exception e) =>
        $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ").Trim()}";
}
