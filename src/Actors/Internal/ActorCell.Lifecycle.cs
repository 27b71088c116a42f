using V2V.Actors.Supervision;

namespace V2V.Actors.Internal;

/// <summary>Failure, supervision, restart, stop and death watch: the parts of a cell that follow a crash.</summary>
internal sealed partial class ActorCell
{
    private HashSet<ActorCell>? _stoppingChildren;
    private HashSet<InternalActorRef>? _watching;
    private HashSet<InternalActorRef>? _watchedBy;
    private PendingAfterChildren _pending;
    private Exception? _pendingCause;
    private object? _failedMessage;
    private LocalActorRef? _escalatedChild;

    private enum PendingAfterChildren
    {
        None,
        Terminate,
        Restart,
    }

    public IActorRef Watch(IActorRef subject)
    {
        var target = InternalActorRef.Resolve(subject)!;
        if (!ReferenceEquals(target, SelfRef) && (_watching ??= []).Add(target))
        {
            _dispatcher.SendSystem(target, new WatchMessage(target, SelfRef));
        }

        return subject;
    }

    public IActorRef Unwatch(IActorRef subject)
    {
        var target = InternalActorRef.Resolve(subject)!;
        if (_watching?.Remove(target) == true)
        {
            _dispatcher.SendSystem(target, new UnwatchMessage(target, SelfRef));
        }

        return subject;
    }

    /// <summary>Own failure (or escalation): suspend and let the parent's strategy decide.</summary>
    private void HandleInvokeFailure(Exception cause, object? message)
    {
        _system.LogEntry(ActorLogLevel.Error, SelfRef.Path, $"Actor failed: {cause.Message}", cause);
        if (_state >= LifeState.Terminating)
        {
            return;
        }

        _failedMessage = message;
        Mailbox.Suspend();
        if (_parent is null)
        {
            // Guardians never fail by themselves; an escalation that reaches one stops the child (HandleChildFailure).
            Mailbox.Resume();
            return;
        }

        _dispatcher.SendSystem(_parentRef, new FailedMessage(SelfRef, cause));
    }

    private void HandleChildFailure(LocalActorRef child, Exception cause)
    {
        lock (_children)
        {
            if (!_children.TryGetValue(child.Path.Name, out var known) || !ReferenceEquals(known, child.Cell))
            {
                return; // already gone
            }
        }

        if (_state >= LifeState.Terminating || _stoppingChildren?.Contains(child.Cell) == true)
        {
            return; // it is being stopped anyway
        }

        var strategy = _props.SupervisorStrategy ?? _actor?.SupervisorStrategy() ?? SupervisorStrategy.DefaultStrategy;
        Directive directive;
        try
        {
            directive = strategy.Decide(child, cause);
        }
        catch (Exception ex)
        {
            _system.LogEntry(ActorLogLevel.Error, SelfRef.Path, "Supervisor decider threw; escalating", ex);
            directive = Directive.Escalate;
        }

        switch (directive)
        {
            case Directive.Resume:
                _dispatcher.SendSystem(child, ResumeMessage.Instance);
                break;
            case Directive.Restart when strategy.RequestRestartPermission(child.Cell.RestartStats, Now):
                _dispatcher.SendSystem(child, new RecreateMessage(cause));
                break;
            case Directive.Escalate when _parent is not null:
                _escalatedChild = child;
                HandleInvokeFailure(cause, null);
                break;
            default:
                // Stop, a restart over its limit, or an escalation that reached a guardian.
                Stop(child);
                break;
        }
    }

    private void FaultResume()
    {
        if (_state >= LifeState.Terminating)
        {
            return;
        }

        if (_actor is null)
        {
            FaultRecreate(new InvalidOperationException("Resumed an actor whose creation failed."));
            return;
        }

        _failedMessage = null;
        Mailbox.Resume();
        if (_escalatedChild is { } child)
        {
            _escalatedChild = null;
            _dispatcher.SendSystem(child, ResumeMessage.Instance);
        }
    }

    private void FaultRecreate(Exception cause)
    {
        if (_state >= LifeState.Terminating)
        {
            return;
        }

        var failedMessage = _failedMessage;
        _failedMessage = null;
        _escalatedChild = null;
        if (_actor is { } old)
        {
            try
            {
                old.PreRestart(cause, failedMessage);
            }
            catch (Exception ex)
            {
                _system.LogEntry(ActorLogLevel.Error, SelfRef.Path, "PreRestart threw", ex);
            }
        }

        _actor = null;
        if (_stoppingChildren is { Count: > 0 })
        {
            // Child names stay reserved until they are gone; the new instance may re-create them.
            _pending = PendingAfterChildren.Restart;
            _pendingCause = cause;
            return;
        }

        FinishRecreate(cause);
    }

    private void FinishRecreate(Exception cause)
    {
        _pending = PendingAfterChildren.None;
        _pendingCause = null;
        try
        {
            _actor = NewActor();
            Mailbox.Resume();
            _actor.PostRestart(cause);
        }
        catch (Exception ex)
        {
            HandleInvokeFailure(new ActorInitializationException($"{SelfRef.Path}: restart failed: {ex.Message}", ex), null);
        }
    }

    /// <summary>Stop: children first, then PostStop, then Terminated to watchers and the parent told.</summary>
    private void BeginTerminate()
    {
        if (_state >= LifeState.Terminating)
        {
            return;
        }

        List<ActorCell> children;
        lock (_children)
        {
            _state = LifeState.Terminating;
            children = [.. _children.Values];
        }

        Mailbox.Suspend();
        foreach (var child in children)
        {
            Stop(child.SelfRef);
        }

        if (_stoppingChildren is { Count: > 0 })
        {
            _pending = PendingAfterChildren.Terminate;
            return;
        }

        FinishTerminate();
    }

    private void FinishTerminate()
    {
        _pending = PendingAfterChildren.None;
        try
        {
            _actor?.PostStop();
        }
        catch (Exception ex)
        {
            _system.LogEntry(ActorLogLevel.Error, SelfRef.Path, "PostStop threw", ex);
        }

        _actor = null;
        _behaviors = null;
        _state = LifeState.Terminated;

        if (_watchedBy is not null)
        {
            foreach (var watcher in _watchedBy)
            {
                _dispatcher.SendSystem(watcher, new DeathWatchNotification(SelfRef));
            }

            _watchedBy = null;
        }

        if (_watching is not null)
        {
            foreach (var watchee in _watching)
            {
                _dispatcher.SendSystem(watchee, new UnwatchMessage(watchee, SelfRef));
            }

            _watching = null;
        }

        if (_parent is not null)
        {
            _dispatcher.SendSystem(_parentRef, new ChildTerminatedMessage(SelfRef));
        }
        else
        {
            _system.OnGuardianTerminated();
        }

        Mailbox.CleanUp();
    }

    private void MarkStopping(ActorCell child) => (_stoppingChildren ??= []).Add(child);

    private void OnChildTerminated(LocalActorRef child)
    {
        lock (_children)
        {
            if (_children.TryGetValue(child.Path.Name, out var known) && ReferenceEquals(known, child.Cell))
            {
                _children.Remove(child.Path.Name);
            }
        }

        _stoppingChildren?.Remove(child.Cell);
        if (ReferenceEquals(_escalatedChild, child))
        {
            _escalatedChild = null;
        }

        if (_pending != PendingAfterChildren.None && _stoppingChildren is not { Count: > 0 })
        {
            if (_pending == PendingAfterChildren.Terminate)
            {
                FinishTerminate();
            }
            else
            {
                FinishRecreate(_pendingCause!);
            }
        }
    }

    private void AddWatch(WatchMessage w)
    {
        if (ReferenceEquals(w.Watchee, SelfRef) && !ReferenceEquals(w.Watcher, SelfRef))
        {
            (_watchedBy ??= []).Add(w.Watcher);
        }
        else if (ReferenceEquals(w.Watcher, SelfRef) && !ReferenceEquals(w.Watchee, SelfRef))
        {
            Watch(w.Watchee); // a watch requested from outside the actor (test probes)
        }
    }

    private void RemoveWatch(UnwatchMessage u)
    {
        if (ReferenceEquals(u.Watchee, SelfRef))
        {
            _watchedBy?.Remove(u.Watcher);
        }
        else if (ReferenceEquals(u.Watcher, SelfRef))
        {
            Unwatch(u.Watchee);
        }
    }

    private void OnWatchedTerminated(InternalActorRef actor)
    {
        if (_watching?.Remove(actor) == true && _state == LifeState.Running)
        {
            // Terminated travels in the user lane, after what the dead actor sent before it died.
            _dispatcher.SendTerminated(SelfRef, actor);
        }
    }

    private void HandleWhileTerminated(SystemMessage message)
    {
        if (message is WatchMessage w && ReferenceEquals(w.Watchee, SelfRef) && !ReferenceEquals(w.Watcher, SelfRef))
        {
            _dispatcher.SendSystem(w.Watcher, new DeathWatchNotification(SelfRef));
        }
    }
}
