namespace V2V.Actors;

/// <summary>An address of an actor. Telling is fire-and-forget; a null sender means "no sender".</summary>
public interface IActorRef
{
    ActorPath Path { get; }

    void Tell(object message, IActorRef? sender);
}

/// <summary>Akka-style helpers: Tell without a sender uses the current actor (if any) as sender.</summary>
public static class ActorRefExtensions
{
    public static void Tell(this IActorRef receiver, object message) =>
        receiver.Tell(message, Internal.ActorCell.Current?.Self);

    /// <summary>Sends the message keeping the sender of the message being processed, as a proxy would.</summary>
    public static void Forward(this IActorRef receiver, object message) =>
        receiver.Tell(message, Internal.ActorCell.Current?.CurrentSender);
}

/// <summary>Well-known sender values.</summary>
public static class ActorRefs
{
    public static IActorRef? NoSender => null;
}
