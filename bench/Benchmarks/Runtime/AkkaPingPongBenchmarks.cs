using Akka.Actor;
using BenchmarkDotNet.Attributes;

namespace V2V.Benchmarks.Runtime;

/// <summary>
/// Messages per second of a two-party ping-pong on Akka.NET: two actors of one ActorSystem on the default
/// dispatcher, the same protocol as <see cref="PingPongBenchmarks"/> (our runtime) and
/// <see cref="ChannelPingPongBenchmarks"/> (the raw-channel floor). Each operation is one message, so 1 / mean = msg/s.
/// Run: dotnet run -c Release --project bench/Benchmarks -- --filter '*PingPong*' --join --job short
/// </summary>
[MemoryDiagnoser]
public class AkkaPingPongBenchmarks
{
    private const int Messages = RuntimeBenchmarkProtocol.PingPongMessages;

    private ActorSystem _system = null!;
    private IActorRef _ping = null!;
    private IActorRef _pong = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("bench-akka", AkkaBenchmarkConfig.Quiet);
        _ping = _system.ActorOf(Props.Create<Player>(), "ping");
        _pong = _system.ActorOf(Props.Create<Player>(), "pong");
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    [Benchmark(OperationsPerInvoke = Messages)]
    public Task AkkaDefaultDispatcher()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ping.Tell(new Ball(Messages - 1, done), _pong);
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
