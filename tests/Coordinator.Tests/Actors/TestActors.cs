using Akka.Actor;
using V2V.Coordinator.Actors;
using V2V.Market.Network;

namespace V2V.Coordinator.Tests.Actors;

/// <summary>Stands in for a facility or an EV: what it is sent goes to a probe; what that probe replies goes to its parent.</summary>
internal sealed class ProbeChild : ReceiveActor
{
    public ProbeChild(IActorRef probe) =>
        ReceiveAny(m => (Sender.Equals(probe) ? Context.Parent : probe).Tell(m, Self));

    public static Props Props(IActorRef probe) => Akka.Actor.Props.Create(() => new ProbeChild(probe));
}

/// <summary>The parent of one actor under test: what the child tells its parent goes to a probe, anything else to the child.</summary>
internal sealed class ProbeParent : ReceiveActor
{
    public ProbeParent(Props child, string name, IActorRef probe)
    {
        var c = Context.ActorOf(child, name);
        ReceiveAny(m => (Sender.Equals(c) ? probe : c).Forward(m));
    }

    public static Props Props(Props child, string name, IActorRef probe) =>
        Akka.Actor.Props.Create(() => new ProbeParent(child, name, probe));
}

/// <summary>Arrivals fixed in advance by step.</summary>
internal sealed class FixedArrivals(IReadOnlyDictionary<int, ArrivalSpec[]> byStep) : IArrivalSource
{
    public IReadOnlyList<ArrivalSpec> ArrivalsAt(int step) => byStep.TryGetValue(step, out var a) ? a : [];
}

/// <summary>An instant network that loses exactly the messages <paramref name="loses"/> picks.</summary>
internal sealed class LosingNetwork(Func<MessageKind, string, int, bool> loses) : INetworkModel
{
    public bool IsInstant => false;

    public MessageFate Fate(MessageKind kind, string agent, int step, long key, int attempt) =>
        loses(kind, agent, attempt) ? new MessageFate(true, 0, null, false) : MessageFate.Instant;

    public bool IsSlow(string agent) => false;
}
