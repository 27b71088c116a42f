using Akka.Actor;
using V2V.Market.Protocol;

namespace V2V.Coordinator.Actors;

/// <summary>
/// An EV the facility is to admit: the facts the ledger records on arrival, and how to make its actor given the
/// coordinator it will trade with. The simulation supplies these, so the Coordinator never depends on the EV model.
/// </summary>
public sealed record ArrivalSpec(string Agent, double Soc, double TargetSoc, int DepartureStep, bool Silent, Func<IActorRef, Props> PropsFor)
{
    /// <summary>
    /// The first message of an EV placed on another node (a cluster-sharded entity), given the coordinator it will trade
    /// with: it carries everything the EV is made from. Null when the EV can only be made as a local child.
    /// </summary>
    public Func<IActorRef, IWithAgentId>? StartFor { get; init; }
}

/// <summary>Who arrives at each step (SPEC 1); called once per step, in step order, by the facility that made it.</summary>
public interface IArrivalSource
{
    IReadOnlyList<ArrivalSpec> ArrivalsAt(int step);
}
