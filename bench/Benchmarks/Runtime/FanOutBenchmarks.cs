using BenchmarkDotNet.Attributes;
using V2V.Actors;

namespace V2V.Benchmarks.Runtime;

/// <summary>
/// Time of one fan-out/fan-in barrier round on our own actor runtime (src/Actors): a coordinator asks each of its
/// 10,000 child "EV" actors one question and the round ends when every child has answered (20,000 messages), as a
/// market step does with its EVs. Measured on the virtual-time kernel (what `v2v run` uses) and on the wall-clock
/// thread pool. Compare with <see cref="AkkaFanOutBenchmarks"/> (run them together with --join). Each operation is
/// one round (OperationsPerInvoke), so the mean is the time of one round.
/// </summary>
[MemoryDiagnoser]
public class FanOutBenchmarks
{
    private const int Rounds = RuntimeBenchmarkProtocol.FanOutRounds;

    private ActorSystem _virtual = null!;
    private IActorRef _virtualCoordinator = null!;
    private ActorSystem _wall = null!;
    private IActorRef _wallCoordinator = null!;

    [GlobalSetup]
    public void Setup()
    {
        _virtual = ActorSystem.Create("bench-virtual");
        _virtualCoordinator = _virtual.ActorOf(Props.Create(() => new Coordinator()), "coordinator");
        _virtual.Kernel.RunUntilIdle();

        _wall = ActorSystem.Create("bench-wall", new ActorSystemOptions { Dispatcher = DispatcherKind.WallClock });
        _wallCoordinator = _wall.ActorOf(Props.Create(() => new Coordinator()), "coordinator");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _virtual.Terminate();
        _wall.Terminate().Wait(TimeSpan.FromSeconds(10));
    }

    [Benchmark(OperationsPerInvoke = Rounds)]
    public void ActorsVirtualTime()
    {
        _virtualCoordinator.Tell(new RunRounds(Rounds, null), null);
        _virtual.Kernel.RunUntilIdle();
    }

    [Benchmark(OperationsPerInvoke = Rounds)]
    public Task ActorsWallClock()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _wallCoordinator.Tell(new RunRounds(Rounds, done), null);
        return done.Task;
    }

    /// <summary>Creates the children at start; runs the requested rounds through <see cref="RoundBarrier"/>.</summary>
    private sealed class Coordinator : ActorBase
    {
        private readonly IActorRef[] _children = new IActorRef[RuntimeBenchmarkProtocol.FanOutChildren];
        private readonly RoundBarrier _barrier = new(RuntimeBenchmarkProtocol.FanOutChildren);

        protected override void PreStart()
        {
            for (int i = 0; i < _children.Length; i++)
            {
                _children[i] = Context.ActorOf(Props.Create(() => new Child()), "ev-" + i);
            }
        }

        protected override bool Receive(object message)
        {
            if (_barrier.Handle(message) is { } question)
            {
                foreach (var child in _children)
                {
                    child.Tell(question, Self);
                }
            }

            return true;
        }
    }

    private sealed class Child : ActorBase
    {
        protected override bool Receive(object message)
        {
            Sender.Tell(Answer.To(message), Self);
            return true;
        }
    }
}
