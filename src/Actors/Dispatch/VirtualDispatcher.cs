using V2V.Actors.Hooks;
using V2V.Actors.Internal;

namespace V2V.Actors.Dispatch;

/// <summary>Turns sends into kernel events: latency, fault filter and FIFO-per-pair are decided here, at send.</summary>
internal sealed class VirtualDispatcher : Dispatcher
{
    private static readonly object NoSenderKey = new();

    private readonly VirtualTimeKernel _kernel;
    private readonly ILatencyModel _latency;
    private readonly IDeliveryFilter _filter;
    private readonly bool _latencyIsZero;
    private readonly bool _filterIsDefault;

    public VirtualDispatcher(VirtualTimeKernel kernel, ILatencyModel latency, IDeliveryFilter filter)
    {
        _kernel = kernel;
        _latency = latency;
        _filter = filter;
        _latencyIsZero = latency is ZeroLatency;
        _filterIsDefault = filter is DeliverAll;
    }

    public override TimeSpan Now => _kernel.Now;

    public override void SendUser(InternalActorRef target, object message, IActorRef? sender)
    {
        var from = InternalActorRef.Resolve(sender);
        long now = _kernel.NowTicks;
        if (_latencyIsZero && _filterIsDefault)
        {
            // Every delivery at "now": the send-order sequence number alone keeps FIFO per pair.
            _kernel.Enqueue(now, EventLane.User, target, message, sender);
            return;
        }

        var decision = _filterIsDefault ? DeliveryDecision.Deliver : _filter.Decide(from?.Path, target.Path, message);
        if (decision.Action == DeliveryAction.Drop)
        {
            _kernel.DroppedMessages++;
            return;
        }

        long at = now + Math.Max(0, _latency.Latency(from?.Path, target.Path, message).Ticks)
            + Math.Max(0, decision.ExtraDelay.Ticks);

        // FIFO per (sender, receiver) under random latency: never before that pair's previous delivery.
        var watermarks = target.FifoWatermarks ??= [];
        object pairKey = (object?)from ?? NoSenderKey;
        if (watermarks.TryGetValue(pairKey, out long last) && last > at)
        {
            at = last;
        }

        watermarks[pairKey] = at;
        _kernel.Enqueue(at, EventLane.User, target, message, sender);

        if (decision.Action == DeliveryAction.Duplicate)
        {
            // The copy is a retransmission: it may arrive after later messages and does not hold them back.
            _kernel.Enqueue(at + Math.Max(0, decision.DuplicateDelay.Ticks), EventLane.User, target, message, sender);
        }
    }

    public override void SendSystem(InternalActorRef target, SystemMessage message) =>
        _kernel.Enqueue(_kernel.NowTicks, EventLane.System, target, message, null);

    public override void SendTerminated(InternalActorRef watcher, InternalActorRef dead)
    {
        // The dead actor's last messages may still be in flight (latency): queue behind them, as one more
        // message on the same pair, so the watcher never sees Terminated first.
        long at = _kernel.NowTicks;
        if (watcher.FifoWatermarks is { } watermarks && watermarks.TryGetValue(dead, out long last) && last > at)
        {
            at = last;
        }

        _kernel.Enqueue(at, EventLane.User, watcher, new Terminated(dead), dead);
    }

    public override ICancelable ScheduleCallback(TimeSpan delay, Action callback)
    {
        var timer = new VirtualTimer(callback);
        _kernel.Enqueue(_kernel.NowTicks + Math.Max(0, delay.Ticks), EventLane.Timer, null, timer, null);
        return timer;
    }

    public override Mailbox CreateMailbox(ActorCell cell) => new VirtualMailbox(cell);
}

internal sealed class VirtualTimer(Action callback) : ICancelable
{
    public bool IsCancellationRequested { get; private set; }

    public void Cancel() => IsCancellationRequested = true;

    public void Fire()
    {
        if (!IsCancellationRequested)
        {
            IsCancellationRequested = true;
            callback();
        }
    }
}
