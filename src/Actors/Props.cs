using V2V.Actors.Supervision;

namespace V2V.Actors;

/// <summary>How to make (and re-make on restart) an actor, and the strategy it applies to its children.</summary>
public sealed class Props
{
    private Props(Func<ActorBase> factory, SupervisorStrategy? supervisorStrategy)
    {
        Factory = factory;
        SupervisorStrategy = supervisorStrategy;
    }

    internal Func<ActorBase> Factory { get; }

    /// <summary>Strategy the created actor uses for its children; null means the actor's own choice.</summary>
    public SupervisorStrategy? SupervisorStrategy { get; }

    public static Props Create<TActor>(Func<TActor> factory)
        where TActor : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new Props(factory, null);
    }

    public static Props Create<TActor>()
        where TActor : ActorBase, new() => new(static () => new TActor(), null);

    public Props WithSupervisorStrategy(SupervisorStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        return new Props(Factory, strategy);
    }
}
