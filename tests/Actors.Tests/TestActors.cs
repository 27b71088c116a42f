using System.Runtime.CompilerServices;

namespace V2V.Actors.Tests;

/// <summary>Messages and small actors shared by the runtime tests.</summary>
internal static class TestActors
{
    public sealed record Ping(int N);

    public sealed record Pong(int N);

    public sealed record Crash(string Reason);

    public sealed record Hook(string Name, int Instance, object? Detail = null);

    public sealed record TellTo(IActorRef Target, object Message);

    public sealed record Spawn(string Name, Props Props);

    public sealed record Spawned(IActorRef Child);

    /// <summary>Answers Ping with Pong to the sender; TellTo sends on its behalf.</summary>
    public sealed class Echo : ReceiveActor
    {
        public Echo()
        {
            Receive<Ping>(p => Sender.Tell(new Pong(p.N), Self));
            Receive<TellTo>(t => t.Target.Tell(t.Message, Self));
        }
    }

    /// <summary>Passes everything on keeping the original sender.</summary>
    public sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef target) => ReceiveAny(m => target.Forward(m));
    }

    /// <summary>
    /// Reports every lifecycle hook to <c>monitor</c> with its instance number (a shared counter, so a
    /// restart shows as a new instance). Ping answers Pong(count of Pings this instance has seen); Crash throws.
    /// </summary>
    public sealed class Monitored : ReceiveActor
    {
        private readonly IActorRef _monitor;
        private readonly int _instance;
        private int _pings;

        public Monitored(IActorRef monitor, StrongBox<int> instances)
        {
            _monitor = monitor;
            _instance = Interlocked.Increment(ref instances.Value);
            Receive<Ping>(_ => Sender.Tell(new Pong(++_pings), Self));
            Receive<Crash>(c => throw new InvalidOperationException(c.Reason));
            Receive<Spawn>(s => Sender.Tell(new Spawned(Context.ActorOf(s.Props, s.Name)), Self));
            Receive<TellTo>(t => t.Target.Tell(t.Message, Self));
        }

        protected override void PreStart() => _monitor.Tell(new Hook("PreStart", _instance), null);

        protected override void PostStop() => _monitor.Tell(new Hook("PostStop", _instance), null);

        protected override void PreRestart(Exception reason, object? message)
        {
            _monitor.Tell(new Hook("PreRestart", _instance, message), null);
            base.PreRestart(reason, message);
        }

        protected override void PostRestart(Exception reason)
        {
            _monitor.Tell(new Hook("PostRestart", _instance, reason.Message), null);
            base.PostRestart(reason);
        }

        public static Props Props(IActorRef monitor, StrongBox<int>? instances = null)
        {
            var box = instances ?? new StrongBox<int>();
            return Actors.Props.Create(() => new Monitored(monitor, box));
        }
    }
}
