using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using V2V.Actors.Internal;
using Xunit;

namespace V2V.Actors.TestKit;

/// <summary>
/// An actor the test controls, shaped like Akka.TestKit's probe. Waiting never sleeps: on the virtual-time
/// dispatcher every Expect* drives the kernel (on the test thread) until the message arrives or the timeout
/// has passed in virtual time; on the wall-clock dispatcher it blocks on a channel read with a real timeout.
/// Use a probe from one test thread only.
/// </summary>
public sealed class TestProbe : IActorRef, IWrappedActorRef
{
    /// <summary>Virtual timeouts cost nothing, so they are generous; wall ones bound a failing test's run time.</summary>
    public static readonly TimeSpan DefaultVirtualTimeout = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan DefaultWallTimeout = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan DefaultVirtualNoMsgDuration = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan DefaultWallNoMsgDuration = TimeSpan.FromMilliseconds(100);

    private readonly Channel<ReceivedMessage> _received =
        Channel.CreateUnbounded<ReceivedMessage>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public TestProbe(ActorSystem system, string? name = null, TimeSpan? defaultTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        System = system;
        name ??= "probe-" + system.NextSystemActorNumber().ToString(CultureInfo.InvariantCulture);
        var writer = _received.Writer;
        Ref = system.SystemActorOf(Props.Create(() => new ProbeActor(writer)), name);
        DefaultTimeout = defaultTimeout ?? (system.IsVirtualTime ? DefaultVirtualTimeout : DefaultWallTimeout);
        NoMsgDuration = system.IsVirtualTime ? DefaultVirtualNoMsgDuration : DefaultWallNoMsgDuration;
        LastSender = system.DeadLetters;
    }

    public ActorSystem System { get; }

    /// <summary>The probe's runtime ref: what actors see as Sender and in Terminated.</summary>
    public IActorRef Ref { get; }

    public ActorPath Path => Ref.Path;

    public TimeSpan DefaultTimeout { get; set; }

    /// <summary>How long ExpectNoMsg waits when no duration is given.</summary>
    public TimeSpan NoMsgDuration { get; set; }

    /// <summary>Sender of the last message received (dead letters when it had none).</summary>
    public IActorRef LastSender { get; private set; }

    public object? LastMessage { get; private set; }

    IActorRef IWrappedActorRef.Underlying => Ref;

    /// <summary>Sends a message to the probe itself.</summary>
    public void Tell(object message, IActorRef? sender) => Ref.Tell(message, sender);

    /// <summary>Sends <paramref name="message"/> to <paramref name="target"/> with the probe as sender.</summary>
    public void Send(IActorRef target, object message)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Tell(message, Ref);
    }

    /// <summary>Answers the sender of the last message received.</summary>
    public void Reply(object message) => LastSender.Tell(message, Ref);

    /// <summary>Passes the last message on to <paramref name="target"/>, keeping its original sender.</summary>
    public void Forward(IActorRef target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var message = LastMessage ?? throw new InvalidOperationException("The probe has not received anything yet.");
        target.Tell(message, LastSender);
    }

    /// <summary>The next message, which must be a <typeparamref name="T"/> that satisfies the predicate.</summary>
    public T ExpectMsg<T>(Predicate<T>? predicate = null, TimeSpan? timeout = null)
    {
        var wait = timeout ?? DefaultTimeout;
        if (!TryReceive(wait, out var received))
        {
            Assert.Fail($"{Path}: timeout ({wait}) while waiting for a {typeof(T).Name}.");
        }

        if (received.Message is not T typed)
        {
            Assert.Fail($"{Path}: expected a {typeof(T).Name} but received {Describe(received.Message)}.");
            throw new UnreachableException();
        }

        if (predicate is not null && !predicate(typed))
        {
            Assert.Fail($"{Path}: received {Describe(typed)}, which does not satisfy the predicate.");
        }

        return typed;
    }

    /// <summary>The next message, which must equal <paramref name="expected"/>.</summary>
    public T ExpectMsg<T>(T expected, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var actual = ExpectMsg<T>(predicate: null, timeout);
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            Assert.Fail($"{Path}: expected {Describe(expected)} but received {Describe(actual)}.");
        }

        return actual;
    }

    /// <summary>Fails if any message arrives within <paramref name="duration"/> (virtual or real).</summary>
    public void ExpectNoMsg(TimeSpan? duration = null)
    {
        var wait = duration ?? NoMsgDuration;
        if (TryReceive(wait, out var received))
        {
            Assert.Fail($"{Path}: expected no message for {wait} but received {Describe(received.Message)}.");
        }
    }

    /// <summary>The next message of any type; fails on timeout.</summary>
    public object ReceiveOne(TimeSpan? timeout = null)
    {
        var wait = timeout ?? DefaultTimeout;
        if (!TryReceive(wait, out var received))
        {
            Assert.Fail($"{Path}: timeout ({wait}) while waiting for a message.");
        }

        return received.Message;
    }

    /// <summary>The next <paramref name="count"/> messages of type <typeparamref name="T"/>, in arrival order.</summary>
    public IReadOnlyList<T> ReceiveN<T>(int count, TimeSpan? timeout = null)
    {
        var result = new List<T>(count);
        for (int i = 0; i < count; i++)
        {
            result.Add(ExpectMsg<T>(predicate: null, timeout));
        }

        return result;
    }

    /// <summary>
    /// Skips messages until one is a <typeparamref name="T"/> that satisfies <paramref name="isTheOne"/>;
    /// the whole search shares one timeout. Skipped messages are gone.
    /// </summary>
    public T FishForMessage<T>(Predicate<T> isTheOne, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(isTheOne);
        var wait = timeout ?? DefaultTimeout;
        var deadline = System.Now + wait;
        int skipped = 0;
        while (true)
        {
            var remaining = deadline - System.Now;
            if (remaining < TimeSpan.Zero || !TryReceive(remaining, out var received))
            {
                Assert.Fail($"{Path}: no matching {typeof(T).Name} within {wait} ({skipped} messages skipped).");
                throw new UnreachableException();
            }

            if (received.Message is T typed && isTheOne(typed))
            {
                return typed;
            }

            skipped++;
        }
    }

    /// <summary>Skips messages until <paramref name="isTheOne"/> accepts one.</summary>
    public object FishForMessage(Func<object, bool> isTheOne, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(isTheOne);
        return FishForMessage<object>(m => isTheOne(m), timeout);
    }

    /// <summary>The probe watches <paramref name="subject"/>: it will receive Terminated when it stops.</summary>
    public IActorRef Watch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        System.WatchFor(Ref, subject);
        return subject;
    }

    public IActorRef Unwatch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        System.UnwatchFor(Ref, subject);
        return subject;
    }

    /// <summary>The next message must be Terminated for <paramref name="subject"/> (watch it first).</summary>
    public Terminated ExpectTerminated(IActorRef subject, TimeSpan? timeout = null)
    {
        var expected = InternalActorRef.Resolve(subject);
        return ExpectMsg<Terminated>(t => ReferenceEquals(InternalActorRef.Resolve(t.ActorRef), expected), timeout);
    }

    /// <summary>Virtual time only: runs every event due within <paramref name="delta"/> and moves the clock by it.</summary>
    public void Advance(TimeSpan delta) => VirtualTime.Advance(System, delta);

    public override string ToString() => Path.ToString();

    private bool TryReceive(TimeSpan timeout, out ReceivedMessage received)
    {
        var reader = _received.Reader;
        bool got = System.IsVirtualTime
            ? VirtualTime.RunUntil(System, timeout, () => reader.TryPeek(out _))
            : WallWait(reader, timeout);
        if (got && reader.TryRead(out received!))
        {
            LastMessage = received.Message;
            LastSender = received.Sender;
            return true;
        }

        received = null!;
        return false;
    }

    private static bool WallWait(ChannelReader<ReceivedMessage> reader, TimeSpan timeout)
    {
        if (reader.TryPeek(out _))
        {
            return true;
        }

        if (timeout <= TimeSpan.Zero)
        {
            return false;
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return reader.WaitToReadAsync(cts.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return reader.TryPeek(out _);
        }
    }

    private static string Describe(object? message) => message switch
    {
        null => "null",
        _ => $"{message.GetType().Name} {message}",
    };
}
