using Akka.Actor;
using V2V.Agents.Vehicles;
using V2V.Market.Configuration;
using V2V.Market.Protocol;

namespace V2V.Simulation.Cluster;

// The messages of a run spread over cluster members (docs/cluster.md): what a member must know of a run before it
// hosts the run's EVs, and the message that makes one EV where sharding places it.

/// <summary>
/// Run -> every member with the agents role, before step 0: the run's resolved market and simulation configuration,
/// under the run's id. A member keeps it until <see cref="ForgetRun"/>; each EV entity builds its model, policy and
/// fault plan from it, so nothing but values crosses a node. A few kilobytes, sent once per member and run.
/// </summary>
public sealed record RunSpec(string Run, MarketConfig Market, SimulationConfig Simulation) : IProtocolMessage;

/// <summary>
/// Member -> run: <see cref="RunSpec"/> of <paramref name="Run"/> is kept; its EVs may start here. <paramref name="Shards"/>
/// is the member's v2v.cluster.shards: members that count shards differently cannot route EVs to each other.
/// </summary>
public sealed record RunSpecStored(string Run, string Member, int Shards) : IProtocolMessage;

/// <summary>Run -> members: the run is over; drop its spec.</summary>
public sealed record ForgetRun(string Run) : IProtocolMessage;

/// <summary>
/// Facility -> EV entity (through the shard region), the EV's first message: the vehicle drawn on arrival, whether the
/// fault plan made it silent, and the coordinator it trades with (not sharded: the run's own node holds it, so it is
/// addressed by reference). The facility is this message's sender. About 300 bytes.
/// </summary>
public sealed record StartEv(string Run, Vehicle Vehicle, bool Silent, IActorRef Market) : IWithAgentId
{
    public string Agent => Vehicle.Id;
}

/// <summary>
/// Facility -> EV entity (through the shard region): a facility resumed on another member at step
/// <paramref name="Step"/> takes over this EV, which an earlier incarnation of it started, and from now on the EV trades
/// with <paramref name="Market"/>, in the state of the close of step Step - 1 (docs/cluster.md, "A facility whose member
/// is lost"). Answered <see cref="EvStarted"/>, or, by a shell that never held the EV (it was on the lost member),
/// <see cref="AgentLost"/> with the verdict "lost with node". The facility is this message's sender; asked again until
/// answered.
/// </summary>
public sealed record ReattachEv(string Agent, int Step, IActorRef Market) : IWithAgentId;

/// <summary>
/// Facility -> EV entity (through the shard region), for a facility that may resume on another member: the EV has
/// announced its end (departure, dropout) and trades no more; the entity keeps it set aside until the facility's link
/// sends <see cref="RetireEv"/>, once the departure is in the ledger on the run's member. Until then a facility resumed
/// from records without that departure can take it over again (<see cref="ReattachEv"/>).
/// </summary>
public sealed record EvLeft(string Agent) : IWithAgentId;
