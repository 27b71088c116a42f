using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using V2V.Actors;

namespace V2V.Benchmarks.Runtime;

/// <summary>
/// Messages per second of a two-party ping-pong: the actor runtime on its virtual-time kernel and on the
/// wall-clock thread pool, against the floor of two tasks passing the same message over raw
/// System.Threading.Channels. Each operation is one message (OperationsPerInvoke), so 1 / mean = msg/s.
/// </summary>
[MemoryDiagnoser]
public class PingPongBenchmarks
{
    private const int Messages = 20_000;

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

    [Benchmark(OperationsPerInvoke = Messages, Baseline = true)]
    public Task RawChannels()
    {
        var options = new UnboundedChannelOptions { SingleReader = true, SingleWriter = true };
        var toPong = Channel.CreateUnbounded<Ball>(options);
        var toPing = Channel.CreateUnbounded<Ball>(options);
        var ping = Task.Run(() => Play(toPing.Reader, toPong.Writer, new Ball(Messages - 1, null)));
        var pong = Task.Run(() => Play(toPong.Reader, toPing.Writer, null));
        return Task.WhenAll(ping, pong);
    }

    private static async Task Play(ChannelReader<Ball> inbox, ChannelWriter<Ball> outbox, Ball? serve)
    {
        if (serve is not null)
        {
            outbox.TryWrite(serve);
        }

        while (await inbox.WaitToReadAsync().ConfigureAwait(false))
        {
            while (inbox.TryRead(out var ball))
            {
                if (ball.Remaining == 0)
                {
                    outbox.Complete();
                    return;
                }

                outbox.TryWrite(new Ball(ball.Remaining - 1, null));
            }
        }

        outbox.Complete();
    }

    private sealed record Ball(int Remaining, TaskCompletionSource? Done);

    /// <summary>Returns the ball to its sender until none is left; the last one completes the round.</summary>
    private sealed class Player : ActorBase
    {
        protected override bool Receive(object message)
        {
            var ball = (Ball)message;
            if (ball.Remaining == 0)
            {
                ball.Done?.TrySetResult();
            }
            else
            {
                Sender.Tell(ball with { Remaining = ball.Remaining - 1 }, Self);
            }

            return true;
        }
    }
}
