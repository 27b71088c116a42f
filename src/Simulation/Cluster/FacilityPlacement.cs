using Akka.Actor;
using V2V.Coordinator.Actors;
using V2V.Market.Protocol;

namespace V2V.Simulation.Cluster;

/// <summary>
/// Where the EVs of a facility on a cluster member live: <paramref name="inner"/> (its own children, or EV entities),
/// except for a scheduled node loss, which goes through the run's member (<see cref="FacilityNodeLoss"/>, by way of the
/// link of the facility <paramref name="entity"/>): the member leaves only once every facility of the run has reached the loss, so
/// no facility can lose an EV to it, or its coordinator, at a step the configuration does not name.
/// </summary>
internal sealed class FacilityPlacement(IEvPlacement inner, IActorRef link, string entity) : IEvPlacement
{
    public bool RouteIsTheEv => inner.RouteIsTheEv;

    public IActorRef Start(IActorContext facility, ArrivalSpec spec) => inner.Start(facility, spec);

    public void Send(IActorRef route, IWithAgentId message, IActorRef sender) => inner.Send(route, message, sender);

    public void Stop(IActorContext facility, IActorRef route, string agent) => inner.Stop(facility, route, agent);

    public IActorRef Reattach(IActorContext facility, string agent, int step) => inner.Reattach(facility, agent, step);

    // Answered NodeGone to the facility, by the run's node loss.
    public void LoseNode(IActorContext facility, int node, int nodes) => link.Tell(new FacilityAtNodeLoss(entity, node, nodes), facility.Self);
}
