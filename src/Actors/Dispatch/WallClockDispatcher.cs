using V2V.Actors.Hooks;
using V2V.Actors.Internal;

namespace V2V.Actors.Dispatch;

/// <summary>
/// Thread-pool dispatch in real time. Latency and extra delay are applied with timers; FIFO per pair is
/// then only guaranteed when the latency model returns zero (the default).
/// </summary>
internal sealed class WallClockDispatcher(ISystemClock clock, ILatencyModel latency, IDeliveryFilter filter, int throughput)
    : Dispatcher
{
    private readonly HashSet<WallTimer> _timers = [];
    private readonly bool _latencyIsZero = latency is ZeroLatency;
    private readonly bool _filterIsDefault = filter is DeliverAll;
    private bool _shutdown;

    public override TimeSpan Now => clock.Elapsed;

    public override void SendUser(InternalActorRef target, object message, IActorRef? sender)
    {
        if (_latencyIsZero && _filterIsDefault)
        {
            target.DeliverUser(message, sender);
            return;
        }

        var from = InternalActorRef.Resolve(sender);
        var decision = _filterIsDefault ? DeliveryDecision.Deliver : filter.Decide(from?.Path, target.Path, message);
        if (decision.Action == DeliveryAction.Drop)
        {
            return;
        }

        var delay = latency.Latency(from?.Path, target.Path, message) + decision.ExtraDelay;
        DeliverAfter(delay, target, message, sender);
        if (decision.Action == DeliveryAction.Duplicate)
        {
            DeliverAfter(delay + decision.DuplicateDelay, target, message, sender);
        }
    }

    public override void SendSystem(InternalActorRef target, SystemMessage message) => target.DeliverSystem(message);

    public override ICancelable ScheduleCallback(TimeSpan delay, Action callback)
    {
        var timer = new WallTimer(this, callback);
        lock (_timers)
        {
            if (_shutdown)
            {
                return timer;
            }

            _timers.Add(timer);
        }

        timer.Start(delay < TimeSpan.Zero ? TimeSpan.Zero : delay);
        return timer;
    }

    public override Mailbox CreateMailbox(ActorCell cell) => new ChannelMailbox(cell, throughput);

    public override void Shutdown()
    {
        WallTimer[] timers;
        lock (_timers)
        {
            _shutdown = true;
            timers = [.. _timers];
            _timers.Clear();
        }

        foreach (var t in timers)
        {
            t.Cancel();
        }
    }

    internal void Forget(WallTimer timer)
    {
        lock (_timers)
        {
            _timers.Remove(timer);
        }
    }

    private void DeliverAfter(TimeSpan delay, InternalActorRef target, object message, IActorRef? sender)
    {
        if (delay <= TimeSpan.Zero)
        {
            target.DeliverUser(message, sender);
        }
        else
        {
            ScheduleCallback(delay, () => target.DeliverUser(message, sender));
        }
    }
}

internal sealed class WallTimer(WallClockDispatcher owner, Action callback) : ICancelable
{
    private Timer? _timer;
    private int _state; // 0 pending, 1 fired or cancelled

    public bool IsCancellationRequested => Volatile.Read(ref _state) == 1;

    public void Start(TimeSpan delay) =>
        _timer = new Timer(static s => ((WallTimer)s!).Fire(), this, delay, Timeout.InfiniteTimeSpan);

    public void Cancel()
    {
        if (Interlocked.Exchange(ref _state, 1) == 0)
        {
            _timer?.Dispose();
            owner.Forget(this);
        }
    }

    private void Fire()
    {
        if (Interlocked.Exchange(ref _state, 1) == 0)
        {
            _timer?.Dispose();
            owner.Forget(this);
            callback();
        }
    }
}
