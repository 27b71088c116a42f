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
public sealed class ActorBackend : ITrainingBackend, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);
    private readonly ActorSystem system;
    private readonly IActorRef guardian;
    private readonly IActorRef learner;
    private readonly IActorRef critic;
    private readonly VersionedPolicy policy;
    private readonly TaskCompletionSource failure = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool subscribed;

    /// <param name="akka">The user's <c>akka</c> settings for the training actor system (our quiet defaults under them).</param>
    public ActorBackend(MaddpgLearner learner, LearningConfig config, int seed, Akka.Configuration.Config? akka = null)
    {
        this.system = ActorSystem.Create("training", (akka ?? Akka.Configuration.Config.Empty).WithFallback(ActorSystems.Quiet));
        this.guardian = this.system.ActorOf(Guardian.Props((name, cause) =>
            this.failure.TrySetException(new InvalidOperationException($"the training actor {name} failed: {cause.Message}", cause))), "training");
        this.critic = Guardian.SpawnUnder(this.guardian, CriticActor.Props(new CriticTrainer(learner, seed)), "critic");
        this.learner = Guardian.SpawnUnder(this.guardian, LearnerActor.Props(this.critic, config.BatchSize), "learner-0");
        this.policy = new VersionedPolicy(config);
    }

    public void BeginEpisode(int episode)
    {
        if (!this.subscribed)
        {
            // Subscribing lazily lets a resumed session restore the networks first.
            var holder = Guardian.SpawnUnder(this.guardian, PolicyHolderActor.Props(this.policy), "policy");
            Ask<TrainingDone>(this.critic, new SubscribePolicy(holder));
            this.subscribed = true;
        }

        Ask<TrainingDone>(this.critic, new EpisodeStarted(episode));
    }

    public ReadOnlySpan<float> Act(ReadOnlySpan<float> observations, int n) => this.policy.Act(observations, n);

    public void Add(ReadOnlySpan<float> input, float reward, ReadOnlySpan<float> nextInput, bool done) =>
        this.learner.Tell(new TransitionObserved(input.ToArray(), reward, done ? null : nextInput.ToArray()), ActorRefs.NoSender);

    public (int Updates, double LossSum) EndStep(int updates)
    {
        Ask<Flushed>(this.learner, Flush.Instance);
        var published = Ask<TrainingDone>(this.critic, new Train(updates)).Published;
        return published is { } p ? (p.Updates, p.MeanCriticLoss * p.Updates) : (0, 0);
    }

    public void EndEpisode()
    {
        Ask<Flushed>(this.learner, Flush.Instance);
        Ask<TrainingDone>(this.critic, EpisodeEnded.Instance);
    }

    public void Dispose() => this.system.Terminate().Wait(Patience);

    // The learner's batch was sent before it answered, so it is in the critic's mailbox before the next ask.
    private T Ask<T>(IActorRef to, object message)
    {
        var answer = to.Ask<T>(message, Patience);
        Task.WaitAny(answer, this.failure.Task);
        if (this.failure.Task.IsFaulted)
        {
            throw this.failure.Task.Exception!.InnerException!;
        }

        return answer.GetAwaiter().GetResult();
    }
}
