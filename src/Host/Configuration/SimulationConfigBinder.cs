using V2V.Market.Configuration;

namespace V2V.Host.Configuration;

/// <summary>
/// Builds <see cref="SimulationConfig"/> (DESIGN "One market step" and "Faults") from <c>v2v.simulation</c>,
/// validating every value; the numbers live in hocon/reference.conf.
/// </summary>
public static class SimulationConfigBinder
{
    /// <summary>The latency models of issue 3: none, constant, uniform, lognormal.</summary>
    public static readonly IReadOnlyList<string> LatencyModels = ["none", "constant", "uniform", "lognormal"];

    public static SimulationConfig Bind(Config config, TimeConfig time)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(time);
        var sim = config.GetConfig("v2v.simulation");
        return new SimulationConfig(
            BindProtocol(config, sim.GetConfig("protocol"), time),
            BindLatency(sim.GetConfig("latency")),
            BindFaults(sim.GetConfig("faults"), time) with { NodeLoss = NodeLossBinder.Bind(config, time) });
    }

    /// <summary>`v2v run`'s default population when nothing else sets one.</summary>
    public static int RunAgents(Config config) => config.GetIntAtLeast("v2v.simulation.run-agents", 1);

    private static ProtocolConfig BindProtocol(Config root, Config c, TimeConfig time)
    {
        var bid = Positive(c, "bid-window");
        var settle = Positive(c, "settlement-window");
        var retry = Positive(c, "commit-retry-interval");

        // Both windows must fit in one step, or step t+1 would open before step t is settled.
        var step = TimeSpan.FromHours(time.StepHours);
        if (bid + settle >= step)
        {
            // Blame what the user changed: the step when both windows are reference.conf's, else a window too long on
            // its own, else the window not left at reference.conf's value.
            string detail = $"bid-window + settlement-window must be shorter than a step ({step}), got {bid} + {settle} = {bid + settle}";
            if (FromReference(c, "bid-window") && FromReference(c, "settlement-window"))
            {
                throw root.Error("v2v.time.step-hours", detail);
            }

            string blamed = bid >= step ? "bid-window"
                : settle >= step ? "settlement-window"
                : FromReference(c, "settlement-window") ? "bid-window" : "settlement-window";
            throw c.Error(blamed, detail);
        }

        return new ProtocolConfig(bid, settle, retry);
    }

    private static LatencyConfig BindLatency(Config c)
    {
        var min = NonNegative(c, "uniform-min");
        var max = NonNegative(c, "uniform-max");
        if (min > max)
        {
            throw c.Error("uniform-max", $"must be >= uniform-min ({min}), got {max}");
        }

        var factor = c.GetDouble("slow-factor");
        if (!(factor >= 1))
        {
            throw c.Error("slow-factor", $"expected a number >= 1, got {ConfigChecks.Show(factor)}");
        }

        return new LatencyConfig(
            c.GetOneOf("model", LatencyModels),
            NonNegative(c, "constant"),
            min,
            max,
            NonNegative(c, "lognormal-median"),
            c.GetNonNegativeDouble("lognormal-sigma"),
            c.GetFraction("slow-fraction"),
            factor);
    }

    private static FaultConfig BindFaults(Config c, TimeConfig time)
    {
        var drop = c.GetFraction("message-drop");
        var duplicate = c.GetFraction("message-duplicate");
        var delay = c.GetFraction("message-delay");

        // One uniform draw decides a message's fate, so the three probabilities share [0, 1].
        if (drop + duplicate + delay > 1)
        {
            throw c.Error("message-delay", $"message-drop + message-duplicate + message-delay must be <= 1, got {ConfigChecks.Show(drop + duplicate + delay)}");
        }

        // A certain drop would lose every commit forever; the protocol needs each message to get through eventually.
        if (drop >= 1)
        {
            throw c.Error("message-drop", "must be < 1 (commits are resent until one gets through)");
        }

        return new FaultConfig(
            c.GetFraction("crash"),
            c.GetFraction("dropout"),
            c.GetFraction("silent"),
            drop,
            duplicate,
            delay,
            DelayWithinRun(c, "message-delay-max", time))
        {
            CoordinatorRestartProbability = c.GetFraction("coordinator-restart"),
            CoordinatorRestartSteps = RestartSteps(c, "coordinator-restart-steps", time),
        };
    }

    // A restart happens before a step opens (1 .. steps - 1) or before the run ends (steps); never before step 0.
    private static IReadOnlyList<int> RestartSteps(Config c, string path, TimeConfig time)
    {
        var steps = c.GetIntList(path);
        foreach (var s in steps)
        {
            if (s < 1 || s > time.TotalSteps)
            {
                throw c.Error(path, $"expected steps in [1, {time.TotalSteps}], got {s}");
            }
        }

        return steps;
    }

    // A delay beyond the whole run is meaningless, and the commits resent meanwhile make the run take as long as the delay.
    private static TimeSpan DelayWithinRun(Config c, string path, TimeConfig time)
    {
        var value = NonNegative(c, path);
        var run = TimeSpan.FromHours(time.StepHours * time.TotalSteps);
        return value <= run ? value : throw c.Error(path, $"expected a duration in [0, the run's length {run}], got {value}");
    }

    private static bool FromReference(Config c, string path) => c.PositionOf(path).File == ConfigLoader.ReferenceResourceName;

    private static TimeSpan Positive(Config c, string path)
    {
        var value = c.GetDuration(path);
        return value > TimeSpan.Zero ? value : throw c.Error(path, $"expected a duration > 0, got {value}");
    }

    private static TimeSpan NonNegative(Config c, string path)
    {
        var value = c.GetDuration(path);
        return value >= TimeSpan.Zero ? value : throw c.Error(path, $"expected a duration >= 0, got {value}");
    }
}
