using V2V.Market.Configuration;
using V2V.Market.Randomness;

namespace V2V.Market.Faults;

/// <summary>Where in a step an agent drops out (DESIGN "Faults": any point, between clearing and settlement included).</summary>
public enum DropoutPhase
{
    None,
    OnOpen,
    AfterOrder,
    AfterClearing,
}

/// <summary>
/// The agent faults of a run as a pure function of (seed, agent, step): whoever asks, in whatever order, gets the
/// same answer, so the EV actor, its supervisor and the tests agree and runs replay byte for byte.
/// </summary>
public sealed class FaultPlan(FaultConfig faults, int seed)
{
    public static FaultPlan None { get; } = new(new FaultConfig(0, 0, 0, 0, 0, 0, TimeSpan.Zero), 0);

    public FaultConfig Config => faults;

    public bool Crashes(string agent, int step) =>
        faults.CrashProbability > 0 && Uniform(agent, step, 1) < faults.CrashProbability;

    public DropoutPhase Dropout(string agent, int step)
    {
        if (faults.DropoutProbability <= 0 || Uniform(agent, step, 2) >= faults.DropoutProbability)
        {
            return DropoutPhase.None;
        }

        return (DropoutPhase)(1 + (int)(Uniform(agent, step, 3) * 3));
    }

    public bool IsSilent(string agent) =>
        faults.SilentProbability > 0 && Uniform(agent, -1, 4) < faults.SilentProbability;

    private double Uniform(string agent, int step, ulong kind)
    {
        var h = Seeds.Mix(Seeds.Hash(agent) ^ Seeds.Mix(((ulong)(uint)step << 8) | kind) ^ Seeds.Mix((ulong)(uint)seed));
        return (h >> 11) * (1.0 / (1UL << 53));
    }
}
