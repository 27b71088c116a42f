using System.Diagnostics;

namespace V2V.Actors.Hooks;

/// <summary>Wall-clock time source of the thread-pool dispatcher: time elapsed since the system started.</summary>
public interface ISystemClock
{
    TimeSpan Elapsed { get; }
}

public sealed class StopwatchClock : ISystemClock
{
    private readonly long _start = Stopwatch.GetTimestamp();

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);
}
