using Akka.Actor;
using V2V.Market.Protocol;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Learning.Actors;

/// <summary>
/// The thin actor shell over <see cref="CriticTrainer"/>: stores batches, trains on request, publishes versions.
/// A published version counts as out only when every subscriber has answered <see cref="PolicyApplied"/>: only then
/// does the critic answer whoever asked (<see cref="TrainingDone"/>) or pass a step boundary, so no EV can bid with
/// the previous version by accident of thread timing. It is also the market's training gate (DESIGN step 6 on the
/// simulation): at <see cref="StepBoundary"/> s &gt; 0 it has every registered learner flush, then runs
/// <c>updatesPerStep</c> updates (one market step's worth, once warm), publishes, and then answers
/// <see cref="StepBoundaryPassed"/>.
/// </summary>
public sealed class CriticActor : ReceiveActor
{
    private readonly List<IActorRef> subscribers = [];
    private readonly List<IActorRef> learners = [];
    private readonly CriticTrainer trainer;
    private readonly int updatesPerStep;
    private int boundary = -1;
    private int flushed;

    // The publication in flight: who waits for it, and how many subscribers have still to apply it.
    private Action? whenApplied;
    private long applyingVersion = -1;
    private int applying;

    public CriticActor(CriticTrainer trainer, int updatesPerStep)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(updatesPerStep);
        this.trainer = trainer;
        this.updatesPerStep = updatesPerStep;
        Receive<TransitionBatch>(b => trainer.Store(b));
        Receive<EpisodeStarted>(e =>
        {
            trainer.BeginEpisode(e.Episode);
            Sender.Tell(new TrainingDone(null), Self);
        });
        Receive<EpisodeEnded>(_ =>
        {
            trainer.CommitStaged();
            Sender.Tell(new TrainingDone(null), Self);
        });
        Receive<SubscribePolicy>(s =>
        {
            subscribers.Add(s.Subscriber);
            var asker = Sender;
            Publish(trainer.Current(), [s.Subscriber], () => asker.Tell(new TrainingDone(null), Self));
        });
        Receive<RegisterLearner>(r => learners.Add(r.Learner));
        Receive<Train>(t =>
        {
            var asker = Sender;
            TrainAndPublish(t.Updates, published => asker.Tell(new TrainingDone(published), Self));
        });
        Receive<StepBoundary>(b => OnBoundary(b, Sender));
        Receive<StepFlushed>(OnFlushed);
        Receive<PolicyApplied>(OnApplied);
    }

    /// <summary>A critic that trains only when told (<see cref="Train"/>): no step boundaries.</summary>
    public static Props Props(CriticTrainer trainer) => Props(trainer, updatesPerStep: 0);

    /// <summary>A critic that is also the market's training gate, running <paramref name="updatesPerStep"/> updates per step.</summary>
    public static Props Props(CriticTrainer trainer, int updatesPerStep) =>
        Akka.Actor.Props.Create(() => new CriticActor(trainer, updatesPerStep));

    private IActorRef market = ActorRefs.Nobody;

    private void OnBoundary(StepBoundary stepBoundary, IActorRef sender)
    {
        market = sender;
        boundary = stepBoundary.Step;
        flushed = 0;

        // Step 0 follows no market step of this run: nothing to train on, the subscribers already hold the version.
        if (boundary == 0)
        {
            Pass();
        }
        else if (learners.Count == 0)
        {
            TrainAndPublish(updatesPerStep, _ => Pass());
        }
        else
        {
            foreach (var l in learners)
            {
                l.Tell(new StepFlush(boundary), Self);
            }
        }
    }

    private void OnFlushed(StepFlushed stepFlushed)
    {
        if (stepFlushed.Step == boundary && ++flushed == learners.Count)
        {
            TrainAndPublish(updatesPerStep, _ => Pass());
        }
    }

    private void TrainAndPublish(int updates, Action<PolicyPublished?> then)
    {
        if (trainer.Train(updates) is { } published)
        {
            Publish(published, subscribers, () => then(published));
        }
        else
        {
            then(null);
        }
    }

    private void Publish(PolicyPublished published, IReadOnlyList<IActorRef> to, Action then)
    {
        if (whenApplied is not null)
        {
            throw new InvalidOperationException($"version {published.Version} published while version {applyingVersion} is still being applied");
        }

        if (to.Count == 0)
        {
            then();
            return;
        }

        whenApplied = then;
        applyingVersion = published.Version;
        applying = to.Count;
        foreach (var s in to)
        {
            s.Tell(published, Self);
        }
    }

    private void OnApplied(PolicyApplied applied)
    {
        if (applied.Version != applyingVersion || whenApplied is null || --applying > 0)
        {
            return;
        }

        var then = whenApplied;
        whenApplied = null;
        then();
    }

    private void Pass() => market.Tell(new StepBoundaryPassed(boundary), Self);
}
