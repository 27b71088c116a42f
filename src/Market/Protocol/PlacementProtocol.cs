namespace V2V.Market.Protocol;

// Between a facility and EVs that live elsewhere (cluster-sharded entities, DESIGN "Across machines"). Like the rest of
// the facility's lifecycle they are control plane: the simulated network never drops or delays them.

/// <summary>EV -> facility: I am started, and this message's sender is my actor (the facility watches it).</summary>
public sealed record EvStarted(string Agent) : IWithAgentId;

/// <summary>Facility -> EV: you have announced your end; stop.</summary>
public sealed record RetireEv(string Agent) : IWithAgentId;

/// <summary>
/// EV -> facility: the EV failed with an exception that is not a planned crash (a bug); the run stops, naming it.
/// <paramref name="Cause"/> is one line: the exception's type and message.
/// </summary>
public sealed record EvFailed(string Agent, string Cause) : IWithAgentId;
