using V2V.Actors.Hooks;
using V2V.Actors.Supervision;

namespace V2V.Actors;

public enum DispatcherKind
{
    /// <summary>Single-threaded discrete-event kernel; deterministic; runs only when driven.</summary>
    VirtualTime,

    /// <summary>Thread-pool dispatch with real time.</summary>
    WallClock,
}

public enum ActorLogLevel
{
    Debug,
    Info,
    Warning,
    Error,
}

public sealed record ActorLogEntry(ActorLogLevel Level, string Source, string Message, Exception? Exception);

/// <summary>Everything injected into an actor system. Defaults: virtual time, zero latency, no faults.</summary>
public sealed record ActorSystemOptions
{
    public DispatcherKind Dispatcher { get; init; } = DispatcherKind.VirtualTime;

    public ILatencyModel LatencyModel { get; init; } = ZeroLatency.Instance;

    public IDeliveryFilter DeliveryFilter { get; init; } = DeliverAll.Instance;

    /// <summary>Wall mode only; null means a Stopwatch started with the system.</summary>
    public ISystemClock? Clock { get; init; }

    /// <summary>Wall mode: user messages an actor handles before yielding its thread.</summary>
    public int Throughput { get; init; } = 100;

    /// <summary>Called for every dead letter (after counting), on the delivering thread.</summary>
    public Action<DeadLetter>? OnDeadLetter { get; init; }

    /// <summary>
    /// How the user guardian supervises top-level actors (Akka's guardian-supervisor-strategy); null means
    /// <see cref="SupervisorStrategy.DefaultStrategy"/>, which restarts a failed actor.
    /// </summary>
    public SupervisorStrategy? GuardianStrategy { get; init; }

    /// <summary>Runtime log sink: crashes, dead letters (Debug), unhandled messages.</summary>
    public Action<ActorLogEntry>? Log { get; init; }
}
