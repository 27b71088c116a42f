using V2V.Actors.Internal;

namespace V2V.Actors.Dispatch;

/// <summary>
/// Single-threaded discrete-event kernel. Every delivery is an event at (send time + latency); events run in
/// (time, lane, sequence) order where the sequence number is taken at send, so a run is a pure function of
/// what was sent: same seed, same order of every message. Nothing runs unless a caller drives the kernel
/// (RunUntilIdle, RunUntil, Advance, Step) from one thread.
/// </summary>
public sealed class VirtualTimeKernel
{
    // The heap holds structs: no allocation per message beyond the message itself.
    private readonly PriorityQueue<KernelEvent, EventKey> _queue = new(1024);
    private readonly object _gate = new();
    private long _nowTicks;
    private long _sequence;
    private bool _running;

    internal VirtualTimeKernel()
    {
    }

    /// <summary>Virtual time since the system started.</summary>
    public TimeSpan Now => new(Volatile.Read(ref _nowTicks));

    /// <summary>User messages delivered so far (to actors, probes, Ask replies; dead letters included).</summary>
    public long ProcessedMessages { get; private set; }

    /// <summary>User messages the delivery filter dropped.</summary>
    public long DroppedMessages { get; internal set; }

    public int PendingEvents
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Time of the next event, or null when idle.</summary>
    public TimeSpan? NextEventTime
    {
        get
        {
            lock (_gate)
            {
                return _queue.TryPeek(out _, out var key) ? new TimeSpan(key.Ticks) : null;
            }
        }
    }

    /// <summary>
    /// Called for every user message the kernel delivers, in delivery order, before the recipient sees it:
    /// the trace that replay and determinism checks compare.
    /// </summary>
    public Action<DeliveredMessage>? OnDeliver { get; set; }

    internal long NowTicks => _nowTicks;

    /// <summary>Runs every event, including those the events create, until none is left.</summary>
    public long RunUntilIdle() => RunWhileBefore(long.MaxValue, advanceClock: false);

    /// <summary>Runs every event due at or before <paramref name="time"/>, then sets the clock to it.</summary>
    public long RunUntil(TimeSpan time) => RunWhileBefore(time.Ticks, advanceClock: true);

    /// <summary>Runs every event due within <paramref name="delta"/> from now, then moves the clock by it.</summary>
    public long Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        return RunUntil(Now + delta);
    }

    /// <summary>Runs the single next event; false when idle.</summary>
    public bool Step() => TryStep(long.MaxValue);

    internal void Enqueue(long atTicks, EventLane lane, InternalActorRef? target, object message, IActorRef? sender)
    {
        lock (_gate)
        {
            _queue.Enqueue(new KernelEvent(target, message, sender, lane), new EventKey(atTicks, lane, _sequence++));
        }
    }

    /// <summary>Runs the next event if it is due at or before <paramref name="deadlineTicks"/>.</summary>
    internal bool TryStep(long deadlineTicks)
    {
        EnterRun();
        try
        {
            return StepCore(deadlineTicks);
        }
        finally
        {
            _running = false;
        }
    }

    internal void RunWhile(Func<bool> condition)
    {
        EnterRun();
        try
        {
            while (condition() && StepCore(long.MaxValue))
            {
            }
        }
        finally
        {
            _running = false;
        }
    }

    internal bool IsRunning => _running;

    private long RunWhileBefore(long deadlineTicks, bool advanceClock)
    {
        EnterRun();
        long count = 0;
        try
        {
            while (StepCore(deadlineTicks))
            {
                count++;
            }

            if (advanceClock && deadlineTicks > _nowTicks)
            {
                Volatile.Write(ref _nowTicks, deadlineTicks);
            }
        }
        finally
        {
            _running = false;
        }

        return count;
    }

    private bool StepCore(long deadlineTicks)
    {
        KernelEvent e;
        lock (_gate)
        {
            if (!_queue.TryPeek(out _, out var key) || key.Ticks > deadlineTicks)
            {
                return false;
            }

            e = _queue.Dequeue();
            // Time never runs backwards: an event scheduled "in the past" runs now.
            if (key.Ticks > _nowTicks)
            {
                Volatile.Write(ref _nowTicks, key.Ticks);
            }
        }

        switch (e.Lane)
        {
            case EventLane.System:
                e.Target!.DeliverSystem((SystemMessage)e.Message);
                break;
            case EventLane.User:
                ProcessedMessages++;
                OnDeliver?.Invoke(new DeliveredMessage(new TimeSpan(_nowTicks), e.Sender, e.Target!, e.Message));
                e.Target!.DeliverUser(e.Message, e.Sender);
                break;
            default:
                ((VirtualTimer)e.Message).Fire();
                break;
        }

        return true;
    }

    private void EnterRun()
    {
        if (_running)
        {
            throw new InvalidOperationException(
                "The virtual kernel is already running; do not drive it from inside an actor or from two threads.");
        }

        _running = true;
    }
}

/// <summary>One user message as the kernel delivered it.</summary>
public readonly record struct DeliveredMessage(TimeSpan At, IActorRef? Sender, IActorRef Recipient, object Message);

internal enum EventLane : byte
{
    System = 0,
    User = 1,
    Timer = 2,
}

internal readonly struct KernelEvent(InternalActorRef? target, object message, IActorRef? sender, EventLane lane)
{
    public readonly InternalActorRef? Target = target;
    public readonly object Message = message;
    public readonly IActorRef? Sender = sender;
    public readonly EventLane Lane = lane;
}

/// <summary>Event order: time, then system before user before timers, then send order.</summary>
internal readonly struct EventKey(long ticks, EventLane lane, long sequence) : IComparable<EventKey>
{
    public readonly long Ticks = ticks;
    public readonly EventLane Lane = lane;
    public readonly long Sequence = sequence;

    public int CompareTo(EventKey other)
    {
        int c = Ticks.CompareTo(other.Ticks);
        if (c != 0)
        {
            return c;
        }

        c = ((byte)Lane).CompareTo((byte)other.Lane);
        return c != 0 ? c : Sequence.CompareTo(other.Sequence);
    }
}
