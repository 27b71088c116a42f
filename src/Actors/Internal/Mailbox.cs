namespace V2V.Actors.Internal;

/// <summary>
/// Per-actor queue in front of <see cref="ActorCell"/>. Invariant kept by every implementation: the cell
/// is invoked by one thread at a time, system messages first, and no user message while suspended.
/// </summary>
internal abstract class Mailbox(ActorCell cell)
{
    protected ActorCell Cell { get; } = cell;

    /// <summary>Set and cleared only from within the cell's own processing.</summary>
    public bool IsSuspended { get; private set; }

    public abstract void PostUser(Envelope envelope);

    public abstract void PostSystem(SystemMessage message);

    public void Suspend() => IsSuspended = true;

    public void Resume() => IsSuspended = false;

    /// <summary>After termination: every queued user message becomes a dead letter.</summary>
    public abstract void CleanUp();
}
