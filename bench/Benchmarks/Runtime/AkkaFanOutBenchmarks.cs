using Akka.Actor;
using BenchmarkDotNet.Attributes;

namespace V2V.Benchmarks.Runtime;

/// <summary>
/// Time of one fan-out/fan-in barrier round on Akka.NET (one ActorSystem, default dispatcher): a coordinator asks
/// each of its 10,000 child "EV" actors one question and the round ends when every child has answered (20,000
/// messages). The same protocol and state as <see cref="FanOutBenchmarks"/> (our runtime). Each operation is one
/// round, so the mean is the time of one round.
/// Run: dotnet run -c Release --project bench/Benchmarks -- --filter '*FanOut*' --join --job short
/// </summary>
[MemoryDiagnoser]
public class AkkaFanOutBenchmarks
{
    private const int Rounds = RuntimeBenchmarkProtocol.FanOutRounds;

    private ActorSystem system = null!;
    private IActorRef coordinator = null!;

    [GlobalSetup]
    public void Setup()
    {
        this.system = ActorSystem.Create("bench-akka", AkkaBenchmarkConfig.Quiet);
        this.coordinator = this.system.ActorOf(Props.Create<Coordinator>(), "coordinator");
    }

    [GlobalCleanup]
    public void Cleanup() => this.system.Terminate().Wait(TimeSpan.FromSeconds(10));

    [Benchmark(OperationsPerInvoke = Rounds)]
    public Task AkkaDefaultDispatcher()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        this.coordinator.Tell(new RunRounds(Rounds, done), ActorRefs.NoSender);
        return done.Task;
    }

    /// <summary>Creates the children at start; runs the requested rounds through <see cref="RoundBarrier"/>.</summary>
    private sealed class Coordinator : ActorBase
    {
        private readonly IActorRef[] children = new IActorRef[RuntimeBenchmarkProtocol.FanOutChildren];
        private readonly RoundBarrier barrier = new(RuntimeBenchmarkProtocol.FanOutChildren);

        protected override void PreStart()
        {
            for (int i = 0; i < this.children.Length; i++)
            {
                this.children[i] = Context.ActorOf(Props.Create<Child>(), "ev-" + i);
            }
        }

        protected override bool Receive(object message)
        {
            if (this.barrier.Handle(message) is { } question)
            {
                foreach (var child in this.children)
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
