namespace V2V.Actors;

/// <summary>What an actor may use while it processes a message. Time comes only from here.</summary>
public interface IActorContext
{
    IActorRef Self { get; }

    /// <summary>Sender of the message being processed; the dead-letter ref when there is none.</summary>
    IActorRef Sender { get; }

    IActorRef Parent { get; }

    IReadOnlyCollection<IActorRef> Children { get; }

    ActorSystem System { get; }

    IScheduler Scheduler { get; }

    /// <summary>Time since the system started: virtual in virtual mode, the injected clock in wall mode.</summary>
    TimeSpan Now { get; }

    IActorRef ActorOf(Props props, string? name = null);

    IActorRef? Child(string name);

    /// <summary>Stops a child or this actor (then no further user message is processed).</summary>
    void Stop(IActorRef actor);

    IActorRef Watch(IActorRef subject);

    IActorRef Unwatch(IActorRef subject);

    /// <summary>Replaces the message handler until <see cref="Unbecome"/> (stacked).</summary>
    void Become(Func<object, bool> receive);

    void Unbecome();
}
