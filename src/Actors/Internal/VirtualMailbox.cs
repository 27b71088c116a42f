namespace V2V.Actors.Internal;

/// <summary>
/// Mailbox of the virtual kernel. The kernel's event queue is the real mailbox: a delivery event runs the
/// actor at once. Only while the actor is suspended (awaiting its supervisor) do user messages wait here,
/// in arrival order, and they are drained as soon as a system message resumes it.
/// </summary>
internal sealed class VirtualMailbox(ActorCell cell) : Mailbox(cell)
{
    private Queue<Envelope>? _waiting;

    public override void PostUser(Envelope envelope)
    {
        if (Cell.IsTerminated)
        {
            Cell.DeadLetter(envelope);
        }
        else if (IsSuspended || _waiting is { Count: > 0 })
        {
            (_waiting ??= new Queue<Envelope>()).Enqueue(envelope);
        }
        else
        {
            Cell.InvokeUser(envelope);
        }
    }

    public override void PostSystem(SystemMessage message)
    {
        Cell.InvokeSystem(message);
        if (Cell.IsTerminated)
        {
            CleanUp();
            return;
        }

        while (!IsSuspended && _waiting is { Count: > 0 } && !Cell.IsTerminated)
        {
            Cell.InvokeUser(_waiting.Dequeue());
        }
    }

    public override void CleanUp()
    {
        while (_waiting is { Count: > 0 })
        {
            Cell.DeadLetter(_waiting.Dequeue());
        }
    }
}
