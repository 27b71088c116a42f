using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using V2V.Simulation.Serialization;

namespace V2V.Simulation.Tests.Serialization;

/// <summary>
/// With <c>serialize-messages = on</c> Akka serializes and deserializes every message it delivers, as a remote hop would:
/// every sample sent to an echo actor and back arrives equal, as a fresh copy, so Akka really used our serializer.
/// </summary>
public sealed class SerializeMessagesTests() : Akka.TestKit.Xunit2.TestKit(Configuration)
{
    private static readonly Config Configuration = ProtocolSerialization.CheckingEveryMessage();

    [Fact]
    public void EchoActor_EverySample_ComesBackEqualAsADeserializedCopy()
    {
        var echo = Sys.ActorOf(Props.Create(() => new Echo()), "echo");

        foreach (var sample in ProtocolSamples.Crossing.Concat(ProtocolSamples.WithReference(TestActor)))
        {
            Assert.IsType<ProtocolSerializer>(Sys.Serialization.FindSerializerFor(sample));
            echo.Tell(sample, TestActor);

            var back = ExpectMsg<object>();

            Assert.NotSame(sample, back);
            WireEquality.AssertEqual(sample, back);
        }
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(message => Sender.Tell(message));
    }
}
