using V2V.Actors.Internal;

namespace V2V.Actors;

/// <summary>
/// Request-reply from outside an actor. The reply must be a <typeparamref name="T"/> (or a Status.Failure,
/// which faults the task). The timeout runs on the actor clock: a virtual-time event in virtual mode, so the
/// task completes only while the kernel is driven. Inside actors prefer Tell and a reply message.
/// </summary>
public static class AskExtensions
{
    public static Task<T> Ask<T>(this IActorRef target, object message, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(message);
        var resolved = InternalActorRef.Resolve(target) ?? throw new ArgumentNullException(nameof(target));
        var promise = new PromiseActorRef<T>(resolved.System, resolved.System.NextTempPath("ask-"));
        promise.Start(timeout, target);
        target.Tell(message, promise);
        return promise.Task;
    }

    public static Task<object> Ask(this IActorRef target, object message, TimeSpan timeout) =>
        Ask<object>(target, message, timeout);
}

internal sealed class PromiseActorRef<T>(ActorSystem system, ActorPath path) : InternalActorRef(system, path)
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ICancelable? _timeout;

    public Task<T> Task => _completion.Task;

    public void Start(TimeSpan timeout, IActorRef target) =>
        _timeout = System.Dispatcher.ScheduleCallback(
            timeout,
            () => _completion.TrySetException(new AskTimeoutException($"Ask to {target.Path} timed out after {timeout}.")));

    internal override void DeliverUser(object message, IActorRef? sender)
    {
        if (_completion.Task.IsCompleted)
        {
            System.RecordDeadLetter(message, sender, this);
            return;
        }

        _timeout?.Cancel();
        bool completed = message switch
        {
            T value => _completion.TrySetResult(value),
            Status.Failure f => _completion.TrySetException(f.Cause),
            _ => _completion.TrySetException(new InvalidCastException(
                $"Ask expected {typeof(T).Name} but the reply was {message.GetType().Name}.")),
        };
        if (!completed)
        {
            System.RecordDeadLetter(message, sender, this);
        }
    }

    internal override void DeliverSystem(SystemMessage message)
    {
        // Watching a promise is not supported; it simply never reports Terminated.
    }
}
