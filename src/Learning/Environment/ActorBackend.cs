using V2V.Actors;
using V2V.Actors.Supervision;
using V2V.Learning.Actors;
using V2V.Learning.Maddpg;
using V2V.Market.Protocol;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Learning.Environment;

/// <summary>
/// Training through the actor runtime in virtual time (DESIGN step 6): transitions go to a learner actor, which
/// batches them to the critic actor that owns the replay buffer; after each step the critic trains and publishes a
/// new policy version, which the agents' <see cref="VersionedPolicy"/> picks up before the next step. The kernel is
/// run until idle at each step boundary, so the order of events, and hence the weights, is fixed by the seed.
/// A learner or critic that throws is stopped, never restarted (a restarted critic would go on with the failing
/// message dropped), and the failure is thrown to the trainer at the end of that kernel run.
/// </summary>
internal sealed class ActorBackend : ITrainingBackend, IDisposable
{
    private readonly ActorSystem _system;
    private readonly IActorRef _learner;
    private readonly IActorRef _critic;
    private readonly VersionedPolicy _policy;
    private PolicyPublished? _latest;
    private Exception? _failure;
    private bool _subscribed;

    public ActorBackend(MaddpgLearner learner, LearningConfig config, int seed)
    {
        _system = ActorSystem.Create("training", new ActorSystemOptions
        {
            Dispatcher = DispatcherKind.VirtualTime,
            GuardianStrategy = new OneForOneStrategy(0, null, (child, cause) =>
            {
                _failure ??= new InvalidOperationException($"the training actor {child?.Path.Name ?? "?"} failed: {cause.Message}", cause);
                return Directive.Stop;
            }),
        });
        _critic = _system.ActorOf(CriticActor.Props(new CriticTrainer(learner, seed)), "critic");
        _learner = _system.ActorOf(LearnerActor.Props(_critic, config.BatchSize), "learner-0");
        _policy = new VersionedPolicy(config);
    }

    public void BeginEpisode(int episode)
    {
        if (!_subscribed)
        {
            // Subscribing lazily lets a resumed session restore the networks first.
            var subscriber = _system.ActorOf(Props.Create(() => new PolicySubscriber(this)), "policy");
            _critic.Tell(new SubscribePolicy(subscriber), ActorRefs.NoSender);
            _subscribed = true;
        }

        _critic.Tell(new EpisodeStarted(episode), ActorRefs.NoSender);
        RunUntilIdle();
    }

    public ReadOnlySpan<float> Act(ReadOnlySpan<float> observations, int n) => _policy.Act(observations, n);

    public void Add(ReadOnlySpan<float> input, float reward, ReadOnlySpan<float> nextInput, bool done) =>
        _learner.Tell(new TransitionObserved(input.ToArray(), reward, done ? null : nextInput.ToArray()), ActorRefs.NoSender);

    public (int Updates, double LossSum) EndStep(int updates)
    {
        FlushLearner();
        _latest = null;
        _critic.Tell(new Train(updates), ActorRefs.NoSender);
        RunUntilIdle();
        return _latest is { } p ? (p.Updates, p.MeanCriticLoss * p.Updates) : (0, 0);
    }

    public void EndEpisode()
    {
        FlushLearner();
        _critic.Tell(EpisodeEnded.Instance, ActorRefs.NoSender);
        RunUntilIdle();
    }

    private void RunUntilIdle()
    {
        _system.Kernel.RunUntilIdle();
        if (_failure is { } failure)
        {
            throw failure;
        }
    }

    public void Dispose()
    {
        _ = _system.Terminate();
        _system.Kernel.RunUntilIdle();
    }

    private void FlushLearner()
    {
        _learner.Tell(Flush.Instance, ActorRefs.NoSender);
        RunUntilIdle();
    }

    private void Receive(PolicyPublished published)
    {
        if (_policy.Apply(published))
        {
            _latest = published;
        }
    }

    private sealed class PolicySubscriber : ReceiveActor
    {
        public PolicySubscriber(ActorBackend owner) => Receive<PolicyPublished>(owner.Receive);
    }
}
