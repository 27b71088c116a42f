using Akka.Actor;
using V2V.Market.Protocol;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Learning.Actors;

/// <summary>
/// One per node: gathers the transitions of the EVs it hosts and sends them to the critic in batches of
/// <paramref name="batchSize"/> (fewer messages across the network), or earlier on <see cref="Flush"/> (answered with
/// <see cref="Flushed"/>) and at each step boundary (<see cref="StepFlush"/>).
/// </summary>
public sealed class LearnerActor : ReceiveActor
{
    private readonly List<TransitionObserved> buffer = [];
    private long sequence;

    // The learner's name in its batches: its path with its node's address, so learners on two cluster members whose
    // local paths are alike are never taken for one (the critic stores a batch id once).
    private readonly string name;

    public LearnerActor(IActorRef critic, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        name = Self.Path.ToStringWithAddress(((ExtendedActorSystem)Context.System).Provider.DefaultAddress);
        Receive<TransitionObserved>(t =>
        {
            buffer.Add(t);
            if (buffer.Count >= batchSize)
            {
                Send(critic);
            }
        });
        Receive<Flush>(_ =>
        {
            Send(critic);
            Sender.Tell(Flushed.Instance, Self);
        });
        Receive<StepFlush>(f =>
        {
            Send(critic);
            critic.Tell(new StepFlushed(f.Step), Self);
        });
    }

    public static Props Props(IActorRef critic, int batchSize) => Akka.Actor.Props.Create(() => new LearnerActor(critic, batchSize));

    private void Send(IActorRef critic)
    {
        if (buffer.Count == 0)
        {
            return;
        }

        critic.Tell(new TransitionBatch(name, sequence++, [.. buffer]), Self);
        buffer.Clear();
    }
}
