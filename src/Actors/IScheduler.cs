namespace V2V.Actors;

public interface ICancelable
{
    bool IsCancellationRequested { get; }

    void Cancel();
}

/// <summary>Timers on the actor clock: virtual-time events in virtual mode, real timers in wall mode.</summary>
public interface IScheduler
{
    TimeSpan Now { get; }

    ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender);

    ICancelable ScheduleTellRepeatedly(
        TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender);
}
