using Akka.Actor;
using V2V.Market.Protocol;

namespace V2V.Coordinator.Actors;

/// <summary>
/// Where a facility's EVs live and how it reaches them (DESIGN "Across machines"): as its own children
/// (<see cref="LocalPlacement"/>, the default) or as cluster-sharded entities on other nodes. The facility keeps the
/// roster either way; a placement only starts, addresses and stops an EV. An EV placed elsewhere answers its start with
/// <see cref="EvStarted"/>, and the facility then watches that actor, so an EV that vanishes is still reported lost.
/// </summary>
public interface IEvPlacement
{
    /// <summary>
    /// True when <see cref="Start"/> returns the EV's own actor, which the facility watches at once; false when it
    /// returns a router (a shard region) and the EV's actor is known from its <see cref="EvStarted"/>.
    /// </summary>
    bool RouteIsTheEv { get; }

    /// <summary>Starts the EV of <paramref name="spec"/>; returns the actor its messages go through.</summary>
    IActorRef Start(IActorContext facility, ArrivalSpec spec);

    /// <summary>Sends <paramref name="message"/> to its EV through <paramref name="route"/> (what <see cref="Start"/> returned).</summary>
    void Send(IActorRef route, IWithAgentId message, IActorRef sender);

    /// <summary>Stops the EV <paramref name="agent"/>, which has announced its end (the facility no longer watches it).</summary>
    void Stop(IActorContext facility, IActorRef route, string agent);

    /// <summary>
    /// Has virtual node <paramref name="node"/> of <paramref name="nodes"/> go (a scheduled node loss, whose EVs the
    /// facility has already stopped) and tells the facility <see cref="NodeGone"/> once it has gone.
    /// </summary>
    void LoseNode(IActorContext facility, int node, int nodes);

    /// <summary>
    /// A facility resumed on another member than its lost coordinator's takes over the EV <paramref name="agent"/>, which
    /// an earlier incarnation of it placed, for step <paramref name="step"/> on; returns the actor its messages go
    /// through. Answered <see cref="EvStarted"/> (the EV, in the state of the close of the step before) or
    /// <see cref="AgentLost"/> (it was on the member that was lost). Only placements whose EVs live elsewhere can.
    /// </summary>
    IActorRef Reattach(IActorContext facility, string agent, int step) =>
        throw new NotSupportedException($"{GetType().Name} keeps no EV beyond its facility: {agent} cannot be re-attached");
}

/// <summary>The EVs as children of their facility, named by EV id, watched from the start.</summary>
public sealed class LocalPlacement : IEvPlacement
{
    public static LocalPlacement Instance { get; } = new();

    private LocalPlacement()
    {
    }

    public bool RouteIsTheEv => true;

    public IActorRef Start(IActorContext facility, ArrivalSpec spec) => facility.ActorOf(spec.PropsFor(facility.Parent), spec.Agent);

    public void Send(IActorRef route, IWithAgentId message, IActorRef sender) => route.Tell(message, sender);

    public void Stop(IActorContext facility, IActorRef route, string agent) => facility.Stop(route);

    // In one process a virtual node is only the set of EVs it held, already stopped: nothing else goes.
    public void LoseNode(IActorContext facility, int node, int nodes) => facility.Self.Tell(new NodeGone(node), facility.Self);
}
