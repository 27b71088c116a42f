using Akka.Actor;
using V2V.Agents.Actors;
using V2V.Market.Protocol;

namespace V2V.Learning.Tests.Actors;

/// <summary>
/// Stands in for the facility above one EV actor: supervises it with <see cref="EvSupervision"/> (a planned crash
/// restarts it) and stops it once it has reported its departure or announced that it leaves for good. Anything else
/// it receives goes to the EV.
/// </summary>
internal sealed class EvParent : ReceiveActor
{
    public EvParent(Props ev, string name)
    {
        var child = Context.ActorOf(ev, name);
        Receive<DepartureReport>(_ => Context.Stop(child));
        Receive<LeavingForGood>(_ => Context.Stop(child));
        ReceiveAny(m => child.Forward(m));
    }

    public static Props Props(Props ev, string name) => Akka.Actor.Props.Create(() => new EvParent(ev, name));

    protected override SupervisorStrategy SupervisorStrategy() => new EvSupervision();
}
