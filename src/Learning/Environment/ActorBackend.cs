using Akka.Actor;
using V2V.Learning.Actors;
using V2V.Learning.Maddpg;
using V2V.Market.Protocol;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Learning.Environment;

/// <summary>
/// Training through Akka actors (DESIGN step 6): transitions go to a learner actor, which batches them to the critic
/// actor that owns the replay buffer; after each step the critic trains and publishes a new policy version, which the
/// agents' <see cref="VersionedPolicy"/> has applied before <see cref="EndStep"/> returns. Every step boundary is an
/// ask answered only when its work is done, so the weights depend on the seed, not on thread timing.
/// A learner or critic that throws is stopped, never restarted (<see cref="Guardian"/>), and the failure is thrown to
/// the trainer at its next call.
/// </summary>
internal sealed class ActorBackend : ITrainingBackend, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);
    private readonly ActorSystem _system;
    private readonly IActorRef _guardian;
    private readonly IActorRef _learner;
    private readonly IActorRef _critic;
    private readonly VersionedPolicy _policy;
    private readonly TaskCompletionSource _failure = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _subscribed;

    public ActorBackend(MaddpgLearner learner, LearningConfig config, int seed)
    {
        _system = ActorSystem.Create("training", ActorSystems.Quiet);
        _guardian = _system.ActorOf(Guardian.Props((name, cause) =>
            _failure.TrySetException(new InvalidOperationException($"the training actor {name} failed: {cause.Message}", cause))), "training");
        _critic = Guardian.SpawnUnder(_guardian, CriticActor.Props(new CriticTrainer(learner, seed)), "critic");
        _learner = Guardian.SpawnUnder(_guardian, LearnerActor.Props(_critic, config.BatchSize), "learner-0");
        _policy = new VersionedPolicy(config);
    }

    public void BeginEpisode(int episode)
    {
        if (!_subscribed)
        {
            // Subscribing lazily lets a resumed session restore the networks first.
            var holder = Guardian.SpawnUnder(_guardian, PolicyHolderActor.Props(_policy), "policy");
            Ask<TrainingDone>(_critic, new SubscribePolicy(holder));
            _subscribed = true;
        }

        Ask<TrainingDone>(_critic, new EpisodeStarted(episode));
    }

    public ReadOnlySpan<float> Act(ReadOnlySpan<float> observations, int n) => _policy.Act(observations, n);

    public void Add(ReadOnlySpan<float> input, float reward, ReadOnlySpan<float> nextInput, bool done) =>
        _learner.Tell(new TransitionObserved(input.ToArray(), reward, done ? null : nextInput.ToArray()), ActorRefs.NoSender);

    public (int Updates, double LossSum) EndStep(int updates)
    {
        Ask<Flushed>(_learner, Flush.Instance);
        var published = Ask<TrainingDone>(_critic, new Train(updates)).Published;
        return published is { } p ? (p.Updates, p.MeanCriticLoss * p.Updates) : (0, 0);
    }

    public void EndEpisode()
    {
        Ask<Flushed>(_learner, Flush.Instance);
        Ask<TrainingDone>(_critic, EpisodeEnded.Instance);
    }

    public void Dispose() => _system.Terminate().Wait(Patience);

    // The learner's batch was sent before it answered, so it is in the critic's mailbox before the next ask.
    private T Ask<T>(IActorRef to, object message)
    {
        var answer = to.Ask<T>(message, Patience);
        Task.WaitAny(answer, _failure.Task);
        if (_failure.Task.IsFaulted)
        {
            throw _failure.Task.Exception!.InnerException!;
        }

        return answer.GetAwaiter().GetResult();
    }
}
