using V2V.Actors;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Learning.Actors;

/// <summary>The thin actor shell over <see cref="CriticTrainer"/>: stores batches, trains on request, publishes versions.</summary>
public sealed class CriticActor : ReceiveActor
{
    private readonly List<IActorRef> _subscribers = [];

    public CriticActor(CriticTrainer trainer)
    {
        Receive<TransitionBatch>(b => trainer.Store(b));
        Receive<EpisodeStarted>(e => trainer.BeginEpisode(e.Episode));
        Receive<SubscribePolicy>(s =>
        {
            _subscribers.Add(s.Subscriber);
            s.Subscriber.Tell(trainer.Current(), Self);
        });
        Receive<Train>(t =>
        {
            if (trainer.Train(t.Updates) is { } published)
            {
                foreach (var s in _subscribers)
                {
                    s.Tell(published, Self);
                }
            }
        });
    }

    public static Props Props(CriticTrainer trainer) => V2V.Actors.Props.Create(() => new CriticActor(trainer));
}
