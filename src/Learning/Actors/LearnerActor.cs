using V2V.Actors;
using V2V.Market.Protocol;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Learning.Actors;

/// <summary>
/// One per node: gathers the transitions of the EVs it hosts and sends them to the critic in batches of
/// <paramref name="batchSize"/> (fewer messages across the network), or earlier on <see cref="Flush"/>.
/// </summary>
public sealed class LearnerActor : ReceiveActor
{
    private readonly List<TransitionObserved> _buffer = [];
    private long _sequence;

    public LearnerActor(IActorRef critic, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Receive<TransitionObserved>(t =>
        {
            _buffer.Add(t);
            if (_buffer.Count >= batchSize)
            {
                Send(critic);
            }
        });
        Receive<Flush>(_ => Send(critic));
        Receive<StepFlush>(f =>
        {
            Send(critic);
            critic.Tell(new StepFlushed(f.Step), Self);
        });
    }

    public static Props Props(IActorRef critic, int batchSize) => V2V.Actors.Props.Create(() => new LearnerActor(critic, batchSize));

    private void Send(IActorRef critic)
    {
        if (_buffer.Count == 0)
        {
            return;
        }

        critic.Tell(new TransitionBatch(Self.Path.ToString(), _sequence++, [.. _buffer]), Self);
        _buffer.Clear();
    }
}
