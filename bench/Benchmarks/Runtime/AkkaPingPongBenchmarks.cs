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

    private ActorSystem system = null!;
    private IActorRef ping = null!;
    private IActorRef pong = null!;

    [GlobalSetup]
    public void Setup()
    {
        this.system = ActorSystem.Create("bench-akka", AkkaBenchmarkConfig.Quiet);
        this.ping = this.system.ActorOf(Props.Create<Player>(), "ping");
        this.pong = this.system.ActorOf(Props.Create<Player>(), "pong");
    }

    [GlobalCleanup]
    public void Cleanup() => this.system.Terminate().Wait(TimeSpan.FromSeconds(10));

    [Benchmark(OperationsPerInvoke = Messages)]
    public Task AkkaDefaultDispatcher()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        this.ping.Tell(new Ball(Messages - 1, done), this.pong);
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
