namespace V2V.Actors;

/// <summary>Stops the receiving actor once it is processed (messages before it are handled first).</summary>
public sealed record PoisonPill
{
    public static readonly PoisonPill Instance = new();

    private PoisonPill()
    {
    }
}

/// <summary>Delivered to every watcher once the watched actor has stopped (by request or by crash).</summary>
public sealed record Terminated(IActorRef ActorRef);

/// <summary>A message that could not be delivered (its recipient had stopped).</summary>
public sealed record DeadLetter(object Message, IActorRef? Sender, IActorRef Recipient);

/// <summary>A message an actor did not handle; published to the event stream.</summary>
public sealed record UnhandledMessage(object Message, IActorRef? Sender, IActorRef Recipient);

/// <summary>Replies understood by Ask: a Failure reply faults the Ask task with its cause.</summary>
public static class Status
{
    public sealed record Success(object? Value);

    public sealed record Failure(Exception Cause);
}

/// <summary>Thrown by Ask when no reply arrived within its timeout (virtual or wall time).</summary>
public sealed class AskTimeoutException(string message) : TimeoutException(message);

/// <summary>Wraps a failure in an actor's constructor or PreStart; the default strategy stops such an actor.</summary>
public sealed class ActorInitializationException(string message, Exception inner) : Exception(message, inner);
