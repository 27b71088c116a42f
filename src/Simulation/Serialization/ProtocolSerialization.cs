using Akka.Configuration;

namespace V2V.Simulation.Serialization;

/// <summary>The configuration that binds every protocol message to <see cref="ProtocolSerializer"/>.</summary>
public static class ProtocolSerialization
{
    /// <summary>
    /// Akka HOCON registering the serializer under the name <c>v2v-protocol</c>, binding the marker interface (and so
    /// every message type implementing it) to it, and fixing its identifier (<see cref="ProtocolSerializer.SerializerId"/>).
    /// </summary>
    public const string Hocon = """
        akka.actor {
          serializers {
            v2v-protocol = "V2V.Simulation.Serialization.ProtocolSerializer, V2V.Simulation"
          }
          serialization-bindings {
            "V2V.Market.Protocol.IProtocolMessage, V2V.Market" = v2v-protocol
          }
          serialization-identifiers {
            "V2V.Simulation.Serialization.ProtocolSerializer, V2V.Simulation" = 7218
          }
        }
        """;

    /// <summary><see cref="Hocon"/> parsed, to merge into the actor system's configuration (<c>config.WithFallback</c>).</summary>
    public static Config Config() => ConfigurationFactory.ParseString(Hocon);

    /// <summary>
    /// <see cref="Config"/> with <c>serialize-messages = on</c>: every local message makes the round trip a remote hop
    /// would, so a message that cannot cross a node fails where it is sent (the tests run every actor this way).
    /// </summary>
    public static Config CheckingEveryMessage() =>
        ConfigurationFactory.ParseString("akka.actor.serialize-messages = on\nakka.actor.serialize-creators = off").WithFallback(Config());
}
