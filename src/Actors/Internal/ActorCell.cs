using V2V.Actors.Supervision;

namespace V2V.Actors.Internal;

/// <summary>
/// The runtime side of one actor: its instance, mailbox, children, watchers and lifecycle. All methods named
/// Invoke*/On*/Handle* run inside the mailbox, one at a time; only the children table is also touched from
/// outside (system.ActorOf on a guardian), so it alone is locked.
/// </summary>
internal sealed partial class ActorCell : IActorContext
{
    [ThreadStatic]
    private static ActorCell? t_current;

    [ThreadStatic]
    private static ActorCell? t_constructing;

    private readonly ActorSystem _system;
    private readonly Dispatcher _dispatcher;
    private readonly Props _props;
    private readonly ActorCell? _parent;
    private readonly InternalActorRef _parentRef;
    private readonly Dictionary<string, ActorCell> _children = new(StringComparer.Ordinal);
    private Stack<Func<object, bool>>? _behaviors;
    private ActorBase? _actor;
    private volatile LifeState _state;
    private bool _stopAfterCurrentMessage;
    private int _nameCounter;

    internal ActorCell(ActorSystem system, Props props, ActorCell? parent, InternalActorRef parentRef, ActorPath path)
    {
        _system = system;
        _dispatcher = system.Dispatcher;
        _props = props;
        _parent = parent;
        _parentRef = parentRef;
        SelfRef = new LocalActorRef(system, path, this);
        Mailbox = _dispatcher.CreateMailbox(this);
    }

    private enum LifeState
    {
        Created,
        Running,
        Terminating,
        Terminated,
    }

    /// <summary>The cell whose message is being processed on this thread.</summary>
    internal static ActorCell? Current => t_current;

    /// <summary>The cell whose actor instance is being constructed on this thread.</summary>
    internal static ActorCell? Constructing => t_constructing;

    internal LocalActorRef SelfRef { get; }

    internal Mailbox Mailbox { get; }

    internal IActorRef? CurrentSender { get; private set; }

    /// <summary>Owned by the parent's supervisor strategy.</summary>
    internal ChildRestartStats RestartStats { get; } = new();

    internal bool IsTerminated => _state == LifeState.Terminated;

    public IActorRef Self => SelfRef;

    public IActorRef Sender => CurrentSender ?? _system.DeadLetters;

    public IActorRef Parent => _parentRef;

    public ActorSystem System => _system;

    public IScheduler Scheduler => _system.Scheduler;

    public TimeSpan Now => _dispatcher.Now;

    public IReadOnlyCollection<IActorRef> Children
    {
        get
        {
            lock (_children)
            {
                var list = new List<IActorRef>(_children.Count);
                foreach (var c in _children.Values)
                {
                    list.Add(c.SelfRef);
                }

                return list;
            }
        }
    }

    public IActorRef ActorOf(Props props, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(props);
        name ??= "$" + Interlocked.Increment(ref _nameCounter).ToString(global::System.Globalization.CultureInfo.InvariantCulture);
        var path = SelfRef.Path.Child(name);
        ActorCell child;
        lock (_children)
        {
            if (_state >= LifeState.Terminating)
            {
                throw new InvalidOperationException($"{SelfRef.Path} is stopping and cannot create '{name}'.");
            }

            if (_children.ContainsKey(name))
            {
                throw new InvalidActorNameException($"Actor name '{name}' is not unique under {SelfRef.Path}.");
            }

            child = new ActorCell(_system, props, this, SelfRef, path);
            _children.Add(name, child);
        }

        _dispatcher.SendSystem(child.SelfRef, CreateMessage.Instance);
        return child.SelfRef;
    }

    public IActorRef? Child(string name)
    {
        lock (_children)
        {
            return _children.TryGetValue(name, out var c) ? c.SelfRef : null;
        }
    }

    public void Stop(IActorRef actor)
    {
        var target = InternalActorRef.Resolve(actor);
        if (ReferenceEquals(target, SelfRef) && t_current == this)
        {
            // Like a PoisonPill jumping the queue: nothing after the current message is processed.
            _stopAfterCurrentMessage = true;
        }
        else if (target is LocalActorRef local)
        {
            if (local.Cell._parent == this)
            {
                MarkStopping(local.Cell);
            }

            _dispatcher.SendSystem(local, TerminateMessage.Instance);
        }
    }

    public void Become(Func<object, bool> receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        (_behaviors ??= new Stack<Func<object, bool>>()).Push(receive);
    }

    public void Unbecome() => _behaviors?.TryPop(out _);

    /// <summary>Creates a guardian's actor synchronously (guardians have no parent to send Create).</summary>
    internal void StartGuardian() => CreateActor();

    internal void InvokeUser(Envelope envelope)
    {
        if (_state != LifeState.Running)
        {
            DeadLetter(envelope);
            return;
        }

        var previous = t_current;
        t_current = this;
        CurrentSender = envelope.Sender;
        try
        {
            if (envelope.Message is PoisonPill)
            {
                _stopAfterCurrentMessage = true;
            }
            else
            {
                bool handled = _behaviors is { Count: > 0 } b ? b.Peek()(envelope.Message) : _actor!.Receive(envelope.Message);
                if (!handled)
                {
                    _actor!.InvokeUnhandled(envelope.Message);
                }
            }
        }
        catch (Exception ex)
        {
            HandleInvokeFailure(ex, envelope.Message);
        }
        finally
        {
            CurrentSender = null;
        }

        try
        {
            if (_stopAfterCurrentMessage)
            {
                _stopAfterCurrentMessage = false;
                BeginTerminate();
            }
        }
        finally
        {
            t_current = previous;
        }
    }

    internal void InvokeSystem(SystemMessage message)
    {
        var previous = t_current;
        t_current = this;
        try
        {
            if (_state == LifeState.Terminated)
            {
                HandleWhileTerminated(message);
                return;
            }

            switch (message)
            {
                case CreateMessage:
                    CreateActor();
                    break;
                case TerminateMessage:
                    BeginTerminate();
                    break;
                case RecreateMessage r:
                    FaultRecreate(r.Cause);
                    break;
                case ResumeMessage:
                    FaultResume();
                    break;
                case FailedMessage f:
                    HandleChildFailure(f.Child, f.Cause);
                    break;
                case WatchMessage w:
                    AddWatch(w);
                    break;
                case UnwatchMessage u:
                    RemoveWatch(u);
                    break;
                case DeathWatchNotification d:
                    OnWatchedTerminated(d.Actor);
                    break;
                case ChildTerminatedMessage c:
                    OnChildTerminated(c.Child);
                    break;
            }
        }
        finally
        {
            t_current = previous;
        }
    }

    internal void DeadLetter(Envelope envelope) => _system.RecordDeadLetter(envelope.Message, envelope.Sender, SelfRef);

    internal void PublishUnhandled(object message)
    {
        _system.LogEntry(ActorLogLevel.Debug, SelfRef.Path, $"Unhandled {message.GetType().Name}", null);
        if (_system.EventStream.HasSubscribers)
        {
            _system.EventStream.Publish(new UnhandledMessage(message, CurrentSender, SelfRef));
        }
    }

    private ActorBase NewActor()
    {
        var previous = t_constructing;
        t_constructing = this;
        try
        {
            var actor = _props.Factory();
            if (!ReferenceEquals(actor.Cell, this))
            {
                throw new InvalidOperationException("Props factory must return a new actor instance.");
            }

            _behaviors = null;
            return actor;
        }
        finally
        {
            t_constructing = previous;
        }
    }

    private void CreateActor()
    {
        try
        {
            _actor = NewActor();
            _state = LifeState.Running;
            _actor.PreStart();
        }
        catch (Exception ex)
        {
            _state = LifeState.Running;
            HandleInvokeFailure(new ActorInitializationException($"{SelfRef.Path}: creation failed: {ex.Message}", ex), null);
        }
    }
}
