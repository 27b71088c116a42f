namespace V2V.Actors.Supervision;

/// <summary>What a supervisor does with a child that threw.</summary>
public enum Directive
{
    /// <summary>Keep the instance and its state; drop the failing message.</summary>
    Resume,

    /// <summary>New instance from Props; mailbox kept, failing message dropped.</summary>
    Restart,

    /// <summary>Stop the child (its children first, then PostStop, then Terminated to watchers).</summary>
    Stop,

    /// <summary>Fail the supervisor itself with the same exception.</summary>
    Escalate,
}
