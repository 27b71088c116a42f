using Akka.Actor;

namespace V2V.Simulation.Cluster;

/// <summary>
/// How long a barrier may legitimately wait on a cluster: an EV on a member that died answers nothing until the failure
/// detector has found the member unreachable (its acceptable heartbeat pause, plus a heartbeat) and the split-brain
/// resolver has downed it (stable-after); only then does the facility learn the EVs are lost. The run's stall check
/// must not take that wait for a stall, so on a cluster its interval is at least twice that time plus
/// <see cref="Margin"/> (gossip and removal on a loaded machine); with Akka's defaults about a minute.
/// </summary>
public static class NodeLossTiming
{
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(10);

    /// <summary>The stall check interval of a run on <paramref name="system"/>: <paramref name="floor"/> or the downing time's bound.</summary>
    public static TimeSpan StallCheck(ActorSystem system, TimeSpan floor)
    {
        var config = system.Settings.Config;
        var downing = config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause", TimeSpan.FromSeconds(3))
            + config.GetTimeSpan("akka.cluster.failure-detector.heartbeat-interval", TimeSpan.FromSeconds(1))
            + config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after", TimeSpan.FromSeconds(20));
        var bound = (2 * downing) + Margin;
        return bound > floor ? bound : floor;
    }
}
