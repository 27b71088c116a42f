using V2V.Actors.Internal;

namespace V2V.Actors;

/// <summary>
/// The base of every actor. Instances are made only by the runtime from <see cref="Props"/>; the runtime
/// calls <see cref="Receive"/> with one message at a time, so actor code needs no locks.
/// </summary>
public abstract class ActorBase
{
    private readonly ActorCell _cell;

    protected ActorBase()
    {
        _cell = ActorCell.Constructing
            ?? throw new InvalidOperationException("Actors are created by ActorOf(Props), not with 'new'.");
    }

    protected IActorContext Context => _cell;

    protected IActorRef Self => _cell.Self;

    /// <summary>Sender of the message being processed (the dead-letter ref when there is none).</summary>
    protected IActorRef Sender => _cell.Sender;

    internal ActorCell Cell => _cell;

    /// <summary>Handles a message; false means unhandled.</summary>
    protected internal abstract bool Receive(object message);

    protected internal virtual void PreStart()
    {
    }

    protected internal virtual void PostStop()
    {
    }

    /// <summary>On the failed instance before it is replaced. Akka's default: stop all children, then PostStop.</summary>
    protected internal virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.Children)
        {
            Context.Unwatch(child);
            Context.Stop(child);
        }

        PostStop();
    }

    /// <summary>On the fresh instance after a restart. Default: PreStart.</summary>
    protected internal virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>How this actor supervises its children (Props.WithSupervisorStrategy takes precedence).</summary>
    protected internal virtual Supervision.SupervisorStrategy SupervisorStrategy() =>
        Supervision.SupervisorStrategy.DefaultStrategy;

    /// <summary>Publishes an <see cref="UnhandledMessage"/> to the event stream.</summary>
    protected virtual void Unhandled(object message) => _cell.PublishUnhandled(message);

    internal void InvokeUnhandled(object message) => Unhandled(message);
}
