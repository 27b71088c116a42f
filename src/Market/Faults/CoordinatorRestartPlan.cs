using V2V.Market.Configuration;
using V2V.Market.Randomness;

namespace V2V.Market.Faults;

/// <summary>
/// The planned coordinator restarts of a run (DESIGN "Faults": coordinator restart), as a pure function of (seed, step):
/// before step <c>k</c> opens, the coordinator restarts when <c>k</c> is listed in
/// <see cref="FaultConfig.CoordinatorRestartSteps"/> or a draw seeded by (seed, k) falls below
/// <see cref="FaultConfig.CoordinatorRestartProbability"/>. Whoever asks, whenever, gets the same answer, so the
/// coordinator that restarted knows it already did, and a resumed run replays the same plan.
/// </summary>
public sealed class CoordinatorRestartPlan(FaultConfig faults, int seed)
{
    // The draw's stream, apart from the EV fault plan's (agent, step, kind) draws.
    private static readonly ulong Stream = Seeds.Hash("faults.coordinator-restart");

    public static CoordinatorRestartPlan None { get; } = new(new FaultConfig(0, 0, 0, 0, 0, 0, TimeSpan.Zero), 0);

    public bool Any => faults.CoordinatorRestartProbability > 0 || faults.CoordinatorRestartSteps.Count > 0;

    /// <summary>Whether the coordinator restarts at the boundary before step <paramref name="step"/> opens.</summary>
    public bool RestartsBefore(int step)
    {
        if (faults.CoordinatorRestartSteps.Contains(step))
        {
            return true;
        }

        if (faults.CoordinatorRestartProbability <= 0)
        {
            return false;
        }

        var h = Seeds.Mix(Stream ^ Seeds.Mix((ulong)(uint)step) ^ Seeds.Mix((ulong)(uint)seed));
        return (h >> 11) * (1.0 / (1UL << 53)) < faults.CoordinatorRestartProbability;
    }
}

/// <summary>
/// The coordinator's planned crash at a step boundary: its supervisor restarts it, and the new instance resumes from
/// the ledger at <paramref name="Step"/> (never from step 0).
/// </summary>
public sealed class PlannedCoordinatorRestart(int step)
    : Exception($"planned coordinator restart before step {step}")
{
    public int Step { get; } = step;
}
