using Akka.Actor;
using V2V.Market.Protocol;

namespace V2V.Learning.Actors;

/// <summary>
/// DESIGN step 6: EVs emit transitions to their node's learner actor, which batches them to the critic actor; the
/// critic owns the replay buffer, trains, and publishes the actor weights with a version number. The EV's
/// <see cref="TransitionObserved"/> lives in the shared kernel (V2V.Market.Protocol), since the EV actor sends it.
/// </summary>
public static class LearningProtocol
{
    /// <summary>
    /// Learner -> critic. (Learner, Sequence) identifies a batch, so a duplicated delivery is stored once.
    /// </summary>
    public sealed record TransitionBatch(string Learner, long Sequence, IReadOnlyList<TransitionObserved> Transitions) : IProtocolMessage;

    /// <summary>To a learner: send whatever is buffered now (end of a step or of an episode).</summary>
    public sealed record Flush : IProtocolMessage
    {
        public static Flush Instance { get; } = new();
    }

    /// <summary>To the critic: flush this learner at every step boundary (<see cref="StepBoundary"/>) before training.</summary>
    public sealed record RegisterLearner(IActorRef Learner) : IProtocolMessage;

    /// <summary>Critic -> learner at a step boundary: send what is buffered, then answer <see cref="StepFlushed"/>.</summary>
    public sealed record StepFlush(int Step) : IProtocolMessage;

    /// <summary>Learner -> critic: everything buffered before <see cref="StepFlush"/> has been sent (FIFO: it arrived first).</summary>
    public sealed record StepFlushed(int Step) : IProtocolMessage;

    /// <summary>To the critic: the episode is over; store the transitions still staged (the last step's terminal ones).</summary>
    public sealed record EpisodeEnded : IProtocolMessage
    {
        public static EpisodeEnded Instance { get; } = new();
    }

    /// <summary>To the critic: episode <paramref name="Episode"/> begins (its update sampling derives from the seed and the episode).</summary>
    public sealed record EpisodeStarted(int Episode) : IProtocolMessage;

    /// <summary>To the critic: run this many updates (one market step's worth) if the replay buffer is warm.</summary>
    public sealed record Train(int Updates) : IProtocolMessage;

    /// <summary>To the critic: send every new policy version to <paramref name="Subscriber"/>, starting with the current one.</summary>
    public sealed record SubscribePolicy(IActorRef Subscriber) : IProtocolMessage;

    /// <summary>Subscriber -> critic: version <paramref name="Version"/> is applied; EVs bid with it from now on.</summary>
    public sealed record PolicyApplied(long Version) : IProtocolMessage;

    /// <summary>Critic -> whoever asked it to <see cref="Train"/> or to start an episode: done, with the version now out (if any).</summary>
    public sealed record TrainingDone(PolicyPublished? Published) : IProtocolMessage;

    /// <summary>Learner -> whoever asked it to <see cref="Flush"/>: its batch is on its way to the critic.</summary>
    public sealed record Flushed : IProtocolMessage
    {
        public static Flushed Instance { get; } = new();
    }

    /// <summary>Critic -> subscribers: the actor network's parameters at a version (a fresh array: immutable by convention).</summary>
    public sealed record PolicyPublished(long Version, float[] ActorParameters, long StoredTransitions, int Updates, double MeanCriticLoss) : IProtocolMessage;
}
