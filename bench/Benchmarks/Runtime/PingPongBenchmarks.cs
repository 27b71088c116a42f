using BenchmarkDotNet.Attributes;
using V2V.Actors;

namespace V2V.Benchmarks.Runtime;

/// <summary>
/// Messages per second of a two-party ping-pong on our own actor runtime (src/Actors), on its virtual-time kernel
/// and on the wall-clock thread pool. Compare with <see cref="AkkaPingPongBenchmarks"/> and the raw-channel floor
/// <see cref="ChannelPingPongBenchmarks"/> (run them together with --join). Each operation is one message
/// (OperationsPerInvoke), so 1 / mean = msg/s.
/// </summary>
[MemoryDiagnoser]
public class PingPongBenchmarks
{
    private const int Messages = RuntimeBenchmarkProtocol.PingPongMessages;

    private ActorSystem _virtual = null!;
    private IActorRef _virtualPing = null!;
    private IActorRef _virtualPong = null!;
    private ActorSystem _wall = null!;
    private IActorRef _wallPing = null!;
    private IActorRef _wallPong = null!;

    [GlobalSetup]
    public void Setup()
    {
        _virtual = ActorSystem.Create("bench-virtual");
        _virtualPing = _virtual.ActorOf(Props.Create(() => new Player()), "ping");
        _virtualPong = _virtual.ActorOf(Props.Create(() => new Player()), "pong");
        _virtual.Kernel.RunUntilIdle();

        _wall = ActorSystem.Create("bench-wall", new ActorSystemOptions { Dispatcher = DispatcherKind.WallClock });
        _wallPing = _wall.ActorOf(Props.Create(() => new Player()), "ping");
        _wallPong = _wall.ActorOf(Props.Create(() => new Player()), "pong");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _virtual.Terminate();
        _wall.Terminate().Wait(TimeSpan.FromSeconds(5));
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public void ActorsVirtualTime()
    {
        _virtualPing.Tell(new Ball(Messages - 1, null), _virtualPong);
        _virtual.Kernel.RunUntilIdle();
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public Task ActorsWallClock()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _wallPing.Tell(new Ball(Messages - 1, done), _wallPong);
        return done.Task;
    }

    /// <summary>Returns the ball to its sender until none is left; the last one completes the round.</summary>
    private sealed class Player : ActorBase
    {
        protected override bool Receive(object message)
        {
            if (((Ball)message).Return() is { } next)
            {
                Sender.Tell(next, Self);
            }

            return true;
        }
    }
}
