using Akka.Actor;

namespace V2V.Coordinator.Actors;

/// <summary>
/// An EV the facility is to admit: the facts the ledger records on arrival, and how to make its actor given the
/// coordinator it will trade with. The simulation supplies these, so the Coordinator never depends on the EV model.
/// </summary>
public sealed record ArrivalSpec(string Agent, double Soc, double TargetSoc, int DepartureStep, bool Silent, Func<IActorRef, Props> PropsFor);

/// <summary>Who arrives at each step (SPEC 1); called once per step, in step order, by the facility that made it.</summary>
public interface IArrivalSource
{
    IReadOnlyList<ArrivalSpec> ArrivalsAt(int step);
}
