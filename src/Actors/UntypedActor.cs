namespace V2V.Actors;

/// <summary>An actor with one handler for every message; call <see cref="ActorBase.Unhandled"/> for the rest.</summary>
public abstract class UntypedActor : ActorBase
{
    protected abstract void OnReceive(object message);

    protected internal sealed override bool Receive(object message)
    {
        OnReceive(message);
        return true;
    }
}
