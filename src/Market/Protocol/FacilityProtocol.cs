using V2V.Actors;

namespace V2V.Market.Protocol;

// Lifecycle messages between the facility, its EVs and the coordinator. They model the facility's wired control
// plane, so the fault filter never drops them (only market messages are subject to message faults).

/// <summary>An EV the facility admitted this step, with the facts the ledger records on arrival.</summary>
public sealed record Admission(string Agent, IActorRef Ref, double Soc, double TargetSoc, int DepartureStep, bool Silent) : IWithAgentId;

/// <summary>
/// Facility -> coordinator: step <paramref name="Step"/>'s departures are done (their reports were forwarded first)
/// and these EVs arrived.
/// </summary>
public sealed record Roster(int Step, IReadOnlyList<Admission> Arrivals) : IProtocolMessage;

/// <summary>Facility -> coordinator: an EV is gone without reporting (dropout, or a crash it did not survive).</summary>
public sealed record AgentLost(int Step, string Agent, string Reason) : IWithAgentId;

/// <summary>Coordinator -> facility: the run is over; send every parked EV home, then answer <see cref="RunEnded"/>.</summary>
public sealed record EndRun(int Step) : IProtocolMessage;

/// <summary>Facility -> coordinator: every EV has left.</summary>
public sealed record RunEnded(int Step) : IProtocolMessage;

/// <summary>EV -> coordinator: a fault the EV's plan injected, for the ledger.</summary>
public sealed record FaultReport(int Step, string Agent, string Fault) : IWithAgentId;
