using V2V.Learning.Maddpg;
using V2V.Learning.Networks;
using V2V.Market.Vehicles;

namespace V2V.Host.Configuration;

/// <summary>
/// Builds <see cref="LearningConfig"/> (SPEC 7) from <c>v2v.learning</c>, validating every value; the numbers live
/// in hocon/reference.conf.
/// </summary>
public static class LearningConfigBinder
{
    public static LearningConfig Bind(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var c = config.GetConfig("v2v.learning");

        // The shapes SPEC 7 fixes are in the file for the reader; a different value would not mean anything.
        RequireExactly(c, "observation-size", Observation.Size);
        RequireExactly(c, "action-size", ActionMapping.Size);
        int min = c.GetIntAtLeast("train-agents-min", 1);
        int max = c.GetIntAtLeast("train-agents-max", 1);
        c.RequireOrdered("train-agents-min", min, "train-agents-max", max);
        int batch = c.GetIntAtLeast("batch-size", 1);
        int capacity = c.GetIntAtLeast("replay-capacity", 1);

        // The buffer stores each transition's critic inputs in one float array, which must stay within an array's length.
        int maxCapacity = Array.MaxLength / CriticContext.CriticInputSize;
        if (capacity > maxCapacity)
        {
            throw c.Error("replay-capacity", $"expected a whole number in [batch-size, {maxCapacity}] (one array holds the buffer), got {capacity}");
        }

        if (capacity < batch)
        {
            throw c.Error("replay-capacity", $"must hold at least one batch ({batch}), got {capacity}");
        }

        var reward = c.GetConfig("reward");
        string device = c.GetString("device");
        if (device is not ("cpu" or "cuda"))
        {
            throw c.Error("device", $"expected cpu or cuda, got '{device}'");
        }

        if (device == "cuda" && !TorchRuntime.CudaAvailable)
        {
            throw c.Error("device", TorchRuntime.NoCudaMessage);
        }

        return new LearningConfig(
            c.GetIntAtLeast("active-agents-scale", 1),
            Widths(c, "actor-hidden"),
            Widths(c, "critic-hidden"),
            c.GetPositiveDouble("actor-lr"),
            c.GetPositiveDouble("critic-lr"),
            c.GetFraction("gamma"),
            c.GetFraction("tau"),
            capacity,
            batch,
            c.GetIntAtLeast("updates-per-step", 0),
            c.GetIntAtLeast("warmup-transitions", 1),
            c.GetNonNegativeDouble("ou-theta"),
            c.GetNonNegativeDouble("ou-sigma-start"),
            c.GetNonNegativeDouble("ou-sigma-end"),
            c.GetIntAtLeast("episodes", 1),
            c.GetIntAtLeast("episode-steps", 1),
            min,
            max,
            c.GetIntAtLeast("checkpoint-every", 1),
            new RewardConfig(
                reward.GetNonNegativeDouble("kappa"),
                reward.GetNonNegativeDouble("ir-penalty"),
                reward.GetNonNegativeDouble("collective-jain-weight"),
                reward.GetNonNegativeDouble("collective-match-weight")))
        {
            Device = TorchRuntime.ParseDevice(device),
        };
    }

    // sqrt(Array.MaxLength), rounded down to a power of two: 32768 x 32768 weights still fit one array.
    private const int MaxLayerWidth = 32768;

    private static void RequireExactly(Config c, string path, int expected)
    {
        int value = c.GetInt(path);
        if (value != expected)
        {
            throw c.Error(path, $"SPEC 7 fixes this at {expected}, got {value}");
        }
    }

    private static IReadOnlyList<int> Widths(Config c, string path)
    {
        var widths = c.GetIntList(path);
        for (int i = 0; i < widths.Count; i++)
        {
            // A layer's weights are one width x width array; wider layers would overflow it.
            if (widths[i] < 1 || widths[i] > MaxLayerWidth)
            {
                throw c.Error(path, $"layer widths must be in [1, {MaxLayerWidth}], got {widths[i]} at index {i}");
            }
        }

        return widths;
    }
}
