namespace V2V.Actors.Internal;

/// <summary>Runtime control messages: never filtered, never delayed, processed before user messages.</summary>
internal abstract record SystemMessage;

internal sealed record CreateMessage : SystemMessage
{
    public static readonly CreateMessage Instance = new();
}

internal sealed record TerminateMessage : SystemMessage
{
    public static readonly TerminateMessage Instance = new();
}

internal sealed record RecreateMessage(Exception Cause) : SystemMessage;

internal sealed record ResumeMessage : SystemMessage
{
    public static readonly ResumeMessage Instance = new();
}

internal sealed record FailedMessage(LocalActorRef Child, Exception Cause) : SystemMessage;

/// <summary>To the watchee: register the watcher. To the watcher itself: start watching the watchee.</summary>
internal sealed record WatchMessage(InternalActorRef Watchee, InternalActorRef Watcher) : SystemMessage;

internal sealed record UnwatchMessage(InternalActorRef Watchee, InternalActorRef Watcher) : SystemMessage;

internal sealed record DeathWatchNotification(InternalActorRef Actor) : SystemMessage;

internal sealed record ChildTerminatedMessage(LocalActorRef Child) : SystemMessage;
