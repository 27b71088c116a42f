using V2V.Actors;
using V2V.Market.Protocol;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Learning.Actors;

/// <summary>
/// The thin actor shell over <see cref="CriticTrainer"/>: stores batches, trains on request, publishes versions.
/// It is also the market's training gate (DESIGN step 6 on the simulation): at <see cref="StepBoundary"/> s > 0 it has
/// every registered learner flush, then runs <c>updatesPerStep</c> updates (one market step's worth, once warm),
/// publishes the new version and only then answers <see cref="StepBoundaryPassed"/>, so step s opens with it.
/// </summary>
public sealed class CriticActor : ReceiveActor
{
    private readonly List<IActorRef> _subscribers = [];
    private readonly List<IActorRef> _learners = [];
    private readonly CriticTrainer _trainer;
    private readonly int _updatesPerStep;
    private IActorRef? _market;
    private int _boundary = -1;
    private int _flushed;

    public CriticActor(CriticTrainer trainer, int updatesPerStep)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(updatesPerStep);
        _trainer = trainer;
        _updatesPerStep = updatesPerStep;
        Receive<TransitionBatch>(b => trainer.Store(b));
        Receive<EpisodeStarted>(e => trainer.BeginEpisode(e.Episode));
        Receive<EpisodeEnded>(_ => trainer.CommitStaged());
        Receive<SubscribePolicy>(s =>
        {
            _subscribers.Add(s.Subscriber);
            s.Subscriber.Tell(trainer.Current(), Self);
        });
        Receive<RegisterLearner>(r => _learners.Add(r.Learner));
        Receive<Train>(t => TrainAndPublish(t.Updates));
        Receive<StepBoundary>(OnBoundary);
        Receive<StepFlushed>(OnFlushed);
    }

    /// <summary>A critic that trains only when told (<see cref="Train"/>): no step boundaries.</summary>
    public static Props Props(CriticTrainer trainer) => Props(trainer, updatesPerStep: 0);

    /// <summary>A critic that is also the market's training gate, running <paramref name="updatesPerStep"/> updates per step.</summary>
    public static Props Props(CriticTrainer trainer, int updatesPerStep) =>
        V2V.Actors.Props.Create(() => new CriticActor(trainer, updatesPerStep));

    private void OnBoundary(StepBoundary boundary)
    {
        _market = Sender;
        _boundary = boundary.Step;
        _flushed = 0;

        // Step 0 follows no market step of this run: nothing to train on, the subscribers already hold the version.
        if (boundary.Step == 0)
        {
            Pass();
            return;
        }

        if (_learners.Count == 0)
        {
            TrainAndPublish(_updatesPerStep);
            Pass();
            return;
        }

        foreach (var l in _learners)
        {
            l.Tell(new StepFlush(boundary.Step), Self);
        }
    }

    private void OnFlushed(StepFlushed flushed)
    {
        if (flushed.Step != _boundary || ++_flushed < _learners.Count)
        {
            return;
        }

        TrainAndPublish(_updatesPerStep);
        Pass();
    }

    private void TrainAndPublish(int updates)
    {
        if (_trainer.Train(updates) is { } published)
        {
            foreach (var s in _subscribers)
            {
                s.Tell(published, Self);
            }
        }
    }

    private void Pass() => _market?.Tell(new StepBoundaryPassed(_boundary), Self);
}
