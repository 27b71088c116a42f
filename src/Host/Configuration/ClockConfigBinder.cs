using System.Globalization;
using Akka.Configuration;
using V2V.Market.Configuration;
using V2V.Market.Network;

namespace V2V.Host.Configuration;

/// <summary>
/// Reads the run's clock (<c>v2v.simulation.clock</c>, <c>wall-step-ms</c>): null for simulated time, else the
/// <see cref="WallClock"/>. A wall step so short that a window would be shorter than one tick of the actor system's
/// scheduler (<c>akka.scheduler.tick-duration</c>) is refused: such a window could not be timed.
/// </summary>
public static class ClockConfigBinder
{
    public static WallClock? Bind(Config config, TimeConfig time, ProtocolConfig protocol)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(protocol);
        var sim = config.GetConfig("v2v.simulation");
        if (sim.GetOneOf("clock", WallClock.Names) == WallClock.Simulated)
        {
            return null;
        }

        var stepWallMs = sim.GetIntAtLeast("wall-step-ms", 1);
        var tick = config.ToAkkaConfig().WithFallback(ConfigurationFactory.Default()).GetTimeSpan("akka.scheduler.tick-duration");
        var step = TimeSpan.FromHours(time.StepHours);
        var (name, window) = protocol.BidWindow <= protocol.SettlementWindow
            ? ("bid-window", protocol.BidWindow)
            : ("settlement-window", protocol.SettlementWindow);
        var minimum = WallClock.MinimumStepWallMs(window, step, tick);
        if (stepWallMs < minimum)
        {
            var wallMs = window.TotalMilliseconds * stepWallMs / step.TotalMilliseconds;
            throw sim.Error("wall-step-ms",
                $"{stepWallMs} ms per step leaves the {name} ({window}) {wallMs.ToString("0.##", CultureInfo.InvariantCulture)} ms of wall time, "
                + $"less than one scheduler tick (akka.scheduler.tick-duration = {tick.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms); "
                + $"expected at least {minimum}");
        }

        return new WallClock(stepWallMs);
    }
}
