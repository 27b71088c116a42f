namespace V2V.Market.Network;

/// <summary>
/// Wall-clock mode (docs/architecture.md "Two clocks"): one market step lasts <see cref="StepWallMs"/> ms of real time,
/// and every simulated duration (the bid and settlement windows, the commit retry interval, each message's latency and
/// fault delay) lasts the same share of it: a simulated duration d takes <c>d x StepWallMs / step length</c> of wall
/// time. The coordinator then runs its windows on real timers and measures when each answer arrives; a measured time
/// goes back to simulated ms by the inverse scale, so the ledger keeps one unit. Not reproducible by design: what is late
/// depends on the machine and its load. Without a <see cref="WallClock"/> a run is in simulated time (the default).
/// </summary>
/// <param name="StepWallMs">Wall ms one market step lasts; at least 1.</param>
public sealed record WallClock(int StepWallMs)
{
    /// <summary>The clock names of <c>v2v.simulation.clock</c> and <c>v2v run --clock</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = [Simulated, Wall];

    public const string Simulated = "simulated";

    public const string Wall = "wall";

    /// <summary>Wall ms per simulated ms for a step of <paramref name="stepSimulatedMs"/> simulated ms.</summary>
    public double Scale(double stepSimulatedMs) =>
        stepSimulatedMs > 0 ? StepWallMs / stepSimulatedMs : throw new ArgumentOutOfRangeException(nameof(stepSimulatedMs), stepSimulatedMs, "a step lasts > 0 ms");

    /// <summary>
    /// The smallest <see cref="StepWallMs"/> at which a simulated window of <paramref name="window"/> in a step of
    /// <paramref name="step"/> lasts at least <paramref name="tick"/> of wall time (a timer cannot be finer than its
    /// scheduler's tick).
    /// </summary>
    public static int MinimumStepWallMs(TimeSpan window, TimeSpan step, TimeSpan tick) =>
        (int)Math.Ceiling(tick.TotalMilliseconds * step.TotalMilliseconds / window.TotalMilliseconds);
}
