namespace V2V.Market.Protocol;

// Lifecycle messages between the coordinator, its facility (the roster) and the EVs. They model the facility's wired
// control plane: the simulated network never drops or delays them.

/// <summary>
/// Coordinator -> facility: retire step <paramref name="Step"/>'s departures, admit its arrivals, answer <see cref="Roster"/>.
/// <paramref name="Gone"/> are the EVs the coordinator dropped since the last step began (dropouts): the facility stops
/// them first and sends them no <see cref="Depart"/>, whether or not their own notice has reached it yet.
/// </summary>
public sealed record BeginStep(int Step, IReadOnlyList<string> Gone) : IProtocolMessage;

/// <summary>Coordinator -> facility: the run is over; retire <paramref name="Gone"/>, send every parked EV home, answer <see cref="RunEnded"/>.</summary>
public sealed record EndRun(int Step, IReadOnlyList<string> Gone) : IProtocolMessage;

/// <summary>Facility -> EV: you leave now; report your final state and stop.</summary>
public sealed record Depart(int Step, string Agent) : IWithAgentId;

/// <summary>EV -> facility: my state as I leave, checked by `v2v verify` against the ledger.</summary>
public sealed record DepartureReport(int Step, string Agent, double Soc, double CashAud) : IWithAgentId;

/// <summary>EV -> facility: I drop out for good (the coordinator has my fault report); do not report me lost.</summary>
public sealed record LeavingForGood(string Agent) : IWithAgentId;

/// <summary>An EV the facility admitted this step, with the facts the ledger records on arrival.</summary>
public sealed record Admission(string Agent, double Soc, double TargetSoc, int DepartureStep, bool Silent) : IWithAgentId;

/// <summary>
/// Facility -> coordinator: step <paramref name="Step"/>'s departures are done (in parking order, with the EVs' own
/// reports) and these EVs arrived (in admission order).
/// </summary>
public sealed record Roster(int Step, IReadOnlyList<DepartureReport> Departures, IReadOnlyList<Admission> Arrivals) : IProtocolMessage;

/// <summary>Facility -> coordinator: every EV has left; their reports, in parking order.</summary>
public sealed record RunEnded(int Step, IReadOnlyList<DepartureReport> Departures) : IProtocolMessage;

/// <summary>
/// Facility -> coordinator: an EV stopped without being asked or announcing it (a crash loop its supervisor gave up
/// on). The coordinator records it lost from the step it learns of it.
/// </summary>
public sealed record AgentLost(int Step, string Agent, string Reason) : IWithAgentId;
