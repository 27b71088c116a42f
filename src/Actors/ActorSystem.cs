using V2V.Actors.Dispatch;
using V2V.Actors.Hooks;
using V2V.Actors.Internal;

namespace V2V.Actors;

/// <summary>
/// A tree of actors under <c>v2v://{name}/user</c> with one dispatcher: the virtual-time kernel (default) or
/// the wall-clock thread pool. Actor code is the same under both.
/// </summary>
public sealed class ActorSystem
{
    private readonly VirtualTimeKernel? _kernel;
    private readonly ActorCell _userGuardian;
    private readonly ActorCell _systemGuardian;
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _deadLetterCount;
    private long _tempCounter;
    private long _systemActorCounter;
    private int _terminateRequested;
    private int _guardiansDown;

    private ActorSystem(string name, ActorSystemOptions options)
    {
        Name = name;
        Options = options;
        var root = ActorPath.Root(name);
        TempPath = root.Child("temp");
        DeadLetters = new TerminalRef(this, root.Child("deadLetters"));
        var rootRef = new TerminalRef(this, root);
        if (options.Dispatcher == DispatcherKind.VirtualTime)
        {
            _kernel = new VirtualTimeKernel();
            Dispatcher = new VirtualDispatcher(_kernel, options.LatencyModel, options.DeliveryFilter);
        }
        else
        {
            Dispatcher = new WallClockDispatcher(
                options.Clock ?? new StopwatchClock(), options.LatencyModel, options.DeliveryFilter, options.Throughput);
        }

        Scheduler = new ActorScheduler(Dispatcher);
        EventStream = new EventStream();
        var guardianProps = Props.Create(static () => new GuardianActor());
        var userGuardianProps = options.GuardianStrategy is { } strategy ? guardianProps.WithSupervisorStrategy(strategy) : guardianProps;
        _userGuardian = new ActorCell(this, userGuardianProps, null, rootRef, root.Child("user"));
        _systemGuardian = new ActorCell(this, guardianProps, null, rootRef, root.Child("system"));
        _userGuardian.StartGuardian();
        _systemGuardian.StartGuardian();
    }

    public string Name { get; }

    public ActorSystemOptions Options { get; }

    public IScheduler Scheduler { get; }

    public EventStream EventStream { get; }

    /// <summary>Telling this ref counts a dead letter; it is the Sender of messages sent without one.</summary>
    public IActorRef DeadLetters { get; }

    public long DeadLetterCount => Interlocked.Read(ref _deadLetterCount);

    public bool IsVirtualTime => _kernel is not null;

    /// <summary>The discrete-event kernel; only in virtual-time mode.</summary>
    public VirtualTimeKernel Kernel =>
        _kernel ?? throw new InvalidOperationException("This actor system runs on the wall clock; it has no kernel.");

    /// <summary>Time since the system started, as actors see it.</summary>
    public TimeSpan Now => Dispatcher.Now;

    public Task WhenTerminated => _terminated.Task;

    internal Dispatcher Dispatcher { get; }

    internal ActorPath TempPath { get; }

    public static ActorSystem Create(string name, ActorSystemOptions? options = null) =>
        new(name, options ?? new ActorSystemOptions());

    /// <summary>Creates a top-level actor under <c>/user</c>. In virtual time it starts when the kernel runs.</summary>
    public IActorRef ActorOf(Props props, string? name = null) => _userGuardian.ActorOf(props, name);

    public void Stop(IActorRef actor)
    {
        if (InternalActorRef.Resolve(actor) is LocalActorRef local)
        {
            Dispatcher.SendSystem(local, TerminateMessage.Instance);
        }
    }

    /// <summary>
    /// Stops every actor (children first). In virtual time this runs the kernel until the tree is gone, unless
    /// called from inside the kernel, in which case it completes as the run goes on.
    /// </summary>
    public Task Terminate()
    {
        if (Interlocked.Exchange(ref _terminateRequested, 1) == 0)
        {
            Dispatcher.SendSystem(_userGuardian.SelfRef, TerminateMessage.Instance);
            Dispatcher.SendSystem(_systemGuardian.SelfRef, TerminateMessage.Instance);
        }

        if (_kernel is { IsRunning: false })
        {
            _kernel.RunWhile(() => !_terminated.Task.IsCompleted);
        }

        return _terminated.Task;
    }

    /// <summary>Creates an actor under <c>/system</c> (test probes and other runtime helpers).</summary>
    internal IActorRef SystemActorOf(Props props, string name) => _systemGuardian.ActorOf(props, name);

    /// <summary>Makes <paramref name="watcher"/> watch <paramref name="subject"/> through its own system lane.</summary>
    internal void WatchFor(IActorRef watcher, IActorRef subject) =>
        Dispatcher.SendSystem(
            InternalActorRef.Resolve(watcher)!,
            new WatchMessage(InternalActorRef.Resolve(subject)!, InternalActorRef.Resolve(watcher)!));

    internal void UnwatchFor(IActorRef watcher, IActorRef subject) =>
        Dispatcher.SendSystem(
            InternalActorRef.Resolve(watcher)!,
            new UnwatchMessage(InternalActorRef.Resolve(subject)!, InternalActorRef.Resolve(watcher)!));

    /// <summary>Per-system numbering (not process-wide) so that paths, and seeds derived from them, repeat run to run.</summary>
    internal long NextSystemActorNumber() => Interlocked.Increment(ref _systemActorCounter);

    internal ActorPath NextTempPath(string prefix) =>
        TempPath.Child(prefix + Interlocked.Increment(ref _tempCounter).ToString(System.Globalization.CultureInfo.InvariantCulture));

    internal void RecordDeadLetter(object message, IActorRef? sender, IActorRef recipient)
    {
        Interlocked.Increment(ref _deadLetterCount);
        if (message is DeadLetter)
        {
            return; // a dead letter about a dead letter is counted, never republished
        }

        var letter = new DeadLetter(message, sender, recipient);
        Options.OnDeadLetter?.Invoke(letter);
        if (Options.Log is not null)
        {
            LogEntry(ActorLogLevel.Debug, recipient.Path, $"Dead letter {message.GetType().Name} from {sender?.Path}", null);
        }

        if (EventStream.HasSubscribers)
        {
            EventStream.Publish(letter);
        }
    }

    internal void LogEntry(ActorLogLevel level, ActorPath source, string message, Exception? exception) =>
        Options.Log?.Invoke(new ActorLogEntry(level, source.ToString(), message, exception));

    internal void OnGuardianTerminated()
    {
        if (Interlocked.Increment(ref _guardiansDown) == 2)
        {
            Dispatcher.Shutdown();
            _terminated.TrySetResult();
        }
    }

    private sealed class GuardianActor : ActorBase
    {
        protected internal override bool Receive(object message) => false;
    }
}
