using Akka.Actor;
using System.Runtime.Serialization;
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
    private static readonly Config Configuration = ConfigurationFactory.ParseString("""
            akka.actor.serialize-messages = on
            akka.actor.serialize-creators = off
            """).WithFallback(ProtocolSerialization.Config());

    [Fact]
    public void EchoActor_EverySample_ComesBackEqualAsADeserializedCopy()
    {
        var echo = Sys.ActorOf(Props.Create(() => new Echo()), "echo");

        foreach (var sample in ProtocolSamples.Crossing)
        {
            Assert.IsType<ProtocolSerializer>(Sys.Serialization.FindSerializerFor(sample));
            echo.Tell(sample, TestActor);

            var back = ExpectMsg<object>();

            Assert.NotSame(sample, back);
            WireEquality.AssertEqual(sample, back);
        }
    }

    [Fact]
    public void Tell_MessageOurSerializerRefuses_IsDroppedWithOurOneLineErrorLogged()
    {
        // Akka wraps a serializer's failure and logs it; ours is the cause, so Akka asked our serializer.
        var echo = Sys.ActorOf(Props.Create(() => new Echo()), "echo");
        var (sample, _) = ProtocolSamples.LocalOnly[0];

        EventFilter.Custom(e => e is Error { Cause.InnerException: SerializationException cause }
                && cause.Message.StartsWith("protocol message 'Admission/1': cannot cross a node: Admission.Ref ", StringComparison.Ordinal))
            .ExpectOne(() => echo.Tell(sample, TestActor));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(message => Sender.Tell(message));
    }
}
