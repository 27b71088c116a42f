using System.Diagnostics;

namespace V2V.Clearing.Nash;

/// <summary>
/// The time budget of one clearing (clearing.solver-time-budget) as a <see cref="Stopwatch.GetTimestamp"/> value, read
/// inside the loops that can run for seconds on a large book (the Gram product and Cholesky factorisation of the Schur
/// complement, each GMRES step, the phases of a Newton step and of a certificate). <see cref="Check"/> throws
/// <see cref="SolverDeadlineException"/> once it has passed; <see cref="InteriorPointSolver"/> catches it and keeps the
/// best iterate certified so far. Nothing is written to the iterate or the best certificate until a step or an
/// evaluation is complete, so an interrupted one leaves no half-updated state behind. The default value never passes.
/// </summary>
/// <remarks>
/// The clock is the one non-deterministic input of clearing: a book that finishes within the budget never sees it, and
/// its result is the same whatever the budget (reading the clock changes nothing else).
/// </remarks>
internal readonly record struct SolverDeadline(long Timestamp)
{
    /// <summary>No deadline.</summary>
    public static SolverDeadline None => default;

    /// <summary>Whether the deadline has passed (never for <see cref="None"/>).</summary>
    public bool Passed => Timestamp != 0 && Stopwatch.GetTimestamp() >= Timestamp;

    /// <summary>Throws <see cref="SolverDeadlineException"/> if the deadline has passed.</summary>
    public void Check()
    {
        if (Passed)
        {
            throw new SolverDeadlineException();
        }
    }

    /// <summary>The deadline <paramref name="seconds"/> from now (capped far in the future).</summary>
    public static SolverDeadline After(double seconds) =>
        new(Stopwatch.GetTimestamp() + (long)Math.Min(seconds * Stopwatch.Frequency, long.MaxValue / 2));
}

/// <summary>The time budget ran out inside a solver loop (<see cref="SolverDeadline.Check"/>); never leaves clearing.</summary>
internal sealed class SolverDeadlineException() : Exception("clearing.solver-time-budget passed");
