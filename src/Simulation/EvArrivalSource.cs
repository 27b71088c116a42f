using Akka.Actor;
using V2V.Agents.Actors;
using V2V.Agents.Facility;
using V2V.Agents.Vehicles;
using V2V.Coordinator.Actors;
using V2V.Market.Configuration;
using V2V.Market.Faults;
using V2V.Market.Vehicles;
using V2V.Simulation.Cluster;

namespace V2V.Simulation;

/// <summary>
/// Turns the arrival process of SPEC 1 into EV actors to admit. Each incarnation of an EV actor gets a fresh
/// <see cref="EvAgentState"/> built from the vehicle's arrival facts, so a restart forgets everything the ledger
/// does not hold. When training, every EV sends its transitions to <paramref name="learner"/> (its node's learner).
/// With <paramref name="run"/> (a run over a cluster) each spec also carries the <see cref="StartEv"/> that makes the EV
/// where sharding places it.
/// </summary>
public sealed class EvArrivalSource(MarketConfig config, FaultPlan faults, Func<Vehicle, IBiddingPolicy> policyFor, IActorRef? learner = null, string? run = null)
    : IArrivalSource
{
    private readonly ArrivalProcess process = new(config.Population, config.Vehicle, config.Policy, config.Seed);
    private readonly VehicleModel model = VehicleModels.From(config);

    public IReadOnlyList<ArrivalSpec> ArrivalsAt(int step)
    {
        var vehicles = process.ArrivalsAt(step);
        var specs = new ArrivalSpec[vehicles.Count];
        for (var i = 0; i < vehicles.Count; i++)
        {
            var v = vehicles[i];
            var silent = faults.IsSilent(v.Id);
            specs[i] = new ArrivalSpec(v.Id, v.ArrivalSoc, v.TargetSoc, v.DepartureStep, silent,
                market => EvActor.Props(() => new EvAgentState(v, model, policyFor(v)), faults, market, silent, learner))
            {
                StartFor = run is null ? null : market => new StartEv(run, v, silent, market),
            };
        }

        return specs;
    }
}
