namespace V2V.Benchmarks.Runtime;

/// <summary>
/// The messages and the plain state shared by the runtime benchmarks, so that every runtime (ours on virtual time
/// and on the thread pool, Akka.NET on its default dispatcher) runs exactly the same protocol and only the actor
/// shells differ.
/// </summary>
internal static class RuntimeBenchmarkProtocol
{
    /// <summary>Ping-pong messages per invocation (each one is an operation, so 1 / mean = messages per second).</summary>
    public const int PingPongMessages = 20_000;

    /// <summary>Children of the fan-out coordinator: the default run's EV count times 100.</summary>
    public const int FanOutChildren = 10_000;

    /// <summary>Barrier rounds per invocation (each one is an operation, so the mean is the time of one round).</summary>
    public const int FanOutRounds = 10;
}

/// <summary>The ping-pong ball; the one that arrives with nothing left completes <see cref="Done"/>.</summary>
internal sealed record Ball(int Remaining, TaskCompletionSource? Done)
{
    public Ball Next() => this with { Remaining = Remaining - 1 };

    /// <summary>What a player sends back: the next ball, or nothing once the last one has completed the round.</summary>
    public Ball? Return()
    {
        if (Remaining > 0)
        {
            return Next();
        }

        Done?.TrySetResult();
        return null;
    }
}

/// <summary>Asks the fan-out coordinator for <see cref="Count"/> barrier rounds; the last one completes <see cref="Done"/>.</summary>
internal sealed record RunRounds(int Count, TaskCompletionSource? Done);

/// <summary>Coordinator to every child, once per round.</summary>
internal sealed record Question(int Round);

/// <summary>Child to coordinator, one per question.</summary>
internal sealed record Answer(int Round)
{
    public static Answer To(object question) => new(((Question)question).Round);
}

internal enum BarrierProgress
{
    /// <summary>Answers of this round are still missing.</summary>
    Waiting,

    /// <summary>This round is complete and another one starts: ask every child again.</summary>
    NextRound,

    /// <summary>The last requested round is complete.</summary>
    Finished,
}

/// <summary>
/// The coordinator's state: a round is over when every child answered that round's question; a stray or repeated
/// answer is a defect of the runtime under test and stops the benchmark.
/// </summary>
internal sealed class RoundBarrier(int children)
{
    private RunRounds? request;
    private int roundsLeft;
    private int pending;

    public int Round { get; private set; }

    /// <summary>The coordinator's whole behaviour: returns the question to send to every child, or null for none.</summary>
    public Question? Handle(object message) => message switch
    {
        RunRounds request => Start(request),
        Answer answer => OnAnswer(answer) == BarrierProgress.NextRound ? NewRound() : null,
        _ => throw new InvalidOperationException($"The coordinator got an unexpected {message.GetType().Name}."),
    };

    private Question Start(RunRounds request)
    {
        if (this.request is not null)
        {
            throw new InvalidOperationException("A barrier request arrived while another one was running.");
        }

        this.request = request;
        this.roundsLeft = request.Count;
        return NewRound();
    }

    private BarrierProgress OnAnswer(Answer answer)
    {
        if (this.request is null || answer.Round != Round || this.pending == 0)
        {
            throw new InvalidOperationException($"Unexpected answer for round {answer.Round} (current round {Round}).");
        }

        if (--this.pending > 0)
        {
            return BarrierProgress.Waiting;
        }

        if (--this.roundsLeft > 0)
        {
            return BarrierProgress.NextRound;
        }

        var done = this.request.Done;
        this.request = null;
        done?.TrySetResult();
        return BarrierProgress.Finished;
    }

    private Question NewRound()
    {
        Round++;
        this.pending = children;
        return new Question(Round);
    }
}
