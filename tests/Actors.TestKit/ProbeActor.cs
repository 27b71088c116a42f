using System.Threading.Channels;

namespace V2V.Actors.TestKit;

/// <summary>A message as the probe received it.</summary>
public sealed record ReceivedMessage(object Message, IActorRef Sender);

/// <summary>
/// The actor behind a <see cref="TestProbe"/>: it only records. A channel is the hand-over because in wall
/// mode the actor runs on the thread pool while the test thread blocks on the reader with a timeout.
/// </summary>
internal sealed class ProbeActor(ChannelWriter<ReceivedMessage> received) : ActorBase
{
    protected internal override bool Receive(object message)
    {
        received.TryWrite(new ReceivedMessage(message, Sender));
        return true;
    }
}
