namespace V2V.Actors.Internal;

/// <summary>The seam between actor semantics (ActorCell) and how time and delivery work.</summary>
internal abstract class Dispatcher
{
    public abstract TimeSpan Now { get; }

    /// <summary>Sends a user message: latency model and delivery filter apply.</summary>
    public abstract void SendUser(InternalActorRef target, object message, IActorRef? sender);

    /// <summary>Sends a control message: no latency, no filter.</summary>
    public abstract void SendSystem(InternalActorRef target, SystemMessage message);

    /// <summary>
    /// Delivers Terminated for <paramref name="dead"/> to <paramref name="watcher"/> in its user lane, after
    /// every message the dead actor sent it before dying (Akka's guarantee). Never filtered or delayed further.
    /// </summary>
    public virtual void SendTerminated(InternalActorRef watcher, InternalActorRef dead) =>
        watcher.DeliverUser(new Terminated(dead), dead);

    public abstract ICancelable ScheduleCallback(TimeSpan delay, Action callback);

    public abstract Mailbox CreateMailbox(ActorCell cell);

    public virtual void Shutdown()
    {
    }
}
