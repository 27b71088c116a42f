namespace V2V.Actors.Internal;

/// <summary>Scheduled tells on top of the dispatcher's timers; the tell itself is an ordinary send.</summary>
internal sealed class ActorScheduler(Dispatcher dispatcher) : IScheduler
{
    public TimeSpan Now => dispatcher.Now;

    public ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(message);
        return dispatcher.ScheduleCallback(delay, () => receiver.Tell(message, sender));
    }

    public ICancelable ScheduleTellRepeatedly(
        TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        var repeating = new RepeatingTell(dispatcher, interval, receiver, message, sender);
        repeating.Arm(initialDelay);
        return repeating;
    }

    /// <summary>Re-arms after each firing, so in virtual time it fires exactly at initial + k * interval.</summary>
    private sealed class RepeatingTell(
        Dispatcher dispatcher, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender) : ICancelable
    {
        private readonly object _gate = new();
        private ICancelable? _current;
        private bool _cancelled;

        public bool IsCancellationRequested => Volatile.Read(ref _cancelled);

        public void Cancel()
        {
            lock (_gate)
            {
                _cancelled = true;
                _current?.Cancel();
            }
        }

        public void Arm(TimeSpan delay)
        {
            lock (_gate)
            {
                if (!_cancelled)
                {
                    _current = dispatcher.ScheduleCallback(delay, Fire);
                }
            }
        }

        private void Fire()
        {
            if (IsCancellationRequested)
            {
                return;
            }

            receiver.Tell(message, sender);
            Arm(interval);
        }
    }
}
