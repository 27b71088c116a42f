namespace V2V.Actors.Internal;

/// <summary>Every ref the runtime can deliver to. Refs compare by identity: one ref per actor incarnation.</summary>
internal abstract class InternalActorRef : IActorRef
{
    protected InternalActorRef(ActorSystem system, ActorPath path)
    {
        System = system;
        Path = path;
    }

    public ActorPath Path { get; }

    internal ActorSystem System { get; }

    /// <summary>Virtual kernel only: last scheduled delivery time per sender, to keep FIFO per pair.</summary>
    internal Dictionary<object, long>? FifoWatermarks { get; set; }

    public virtual void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);

        // Senders are unwrapped at send so that Sender, Terminated.ActorRef and replies compare by identity.
        System.Dispatcher.SendUser(this, message, Resolve(sender));
    }

    /// <summary>The message has arrived (after latency and filtering).</summary>
    internal abstract void DeliverUser(object message, IActorRef? sender);

    internal abstract void DeliverSystem(SystemMessage message);

    public override string ToString() => Path.ToString();

    internal static InternalActorRef? Resolve(IActorRef? actorRef) => actorRef switch
    {
        null => null,
        InternalActorRef r => r,
        IWrappedActorRef w => Resolve(w.Underlying),
        _ => throw new NotSupportedException($"Unknown IActorRef implementation {actorRef.GetType()}."),
    };
}

/// <summary>A public ref type (the test probe) that stands for a runtime ref.</summary>
internal interface IWrappedActorRef
{
    IActorRef Underlying { get; }
}

internal sealed class LocalActorRef(ActorSystem system, ActorPath path, ActorCell cell) : InternalActorRef(system, path)
{
    internal ActorCell Cell { get; } = cell;

    internal override void DeliverUser(object message, IActorRef? sender) =>
        Cell.Mailbox.PostUser(new Envelope(message, sender));

    internal override void DeliverSystem(SystemMessage message) => Cell.Mailbox.PostSystem(message);
}

/// <summary>Dead letters and the root: everything told to it is a dead letter; watching it yields Terminated.</summary>
internal sealed class TerminalRef(ActorSystem system, ActorPath path) : InternalActorRef(system, path)
{
    public override void Tell(object message, IActorRef? sender) => DeliverUser(message, Resolve(sender));

    internal override void DeliverUser(object message, IActorRef? sender) =>
        System.RecordDeadLetter(message, sender, this);

    internal override void DeliverSystem(SystemMessage message)
    {
        if (message is WatchMessage w && ReferenceEquals(w.Watchee, this))
        {
            System.Dispatcher.SendSystem(w.Watcher, new DeathWatchNotification(this));
        }
    }
}

internal readonly record struct Envelope(object Message, IActorRef? Sender);
