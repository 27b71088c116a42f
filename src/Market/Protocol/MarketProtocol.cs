using V2V.Market.Orders;

namespace V2V.Market.Protocol;

// The messages EVs, the facility and the coordinator speak (DESIGN "One market step"). Immutable records; every
// message that faults may drop or duplicate carries an id its receiver deduplicates on.

/// <summary>
/// Coordinator -> EV: step <paramref name="Step"/> is open until <paramref name="DeadlineMs"/> (virtual ms since the
/// run began). Prices are the last step's clearing price and the recent mean, for the observation (SPEC 7).
/// </summary>
public sealed record StepOpened(int Step, double DeadlineMs, double LastPriceAudPerKwh, double RecentPriceAudPerKwh) : IProtocolMessage;

/// <summary>
/// EV -> coordinator: an order for the step. <paramref name="TrueValueAudPerKwh"/> is sealed in for scoring the
/// metrics and rewards only (SPEC 3, 8); no mechanism sees it. <paramref name="CriticRow"/> is sent only when
/// training: the EV's observation then the action it took (SPEC 7's critic row), for the coordinator's scorer.
/// </summary>
public sealed record SubmitOrder(
    int Step, string Agent, Side Side, double PriceAudPerKwh, double EnergyKwh, double TrueValueAudPerKwh, float[]? CriticRow = null) : IWithAgentId;

/// <summary>Coordinator -> EV: the order did not make the book.</summary>
public sealed record OrderRefused(int Step, string Reason) : IProtocolMessage;

/// <summary>
/// Coordinator -> both parties: phase one of settlement. <paramref name="CreditAud"/> is the counterfactual credit
/// of SPEC 7 when training (null otherwise).
/// </summary>
public sealed record FillProposed(int Step, long TradeId, string BuyerId, string SellerId, double PriceAudPerKwh, double EnergyKwh) : IProtocolMessage;

/// <summary>Party -> coordinator: I am here and take the fill.</summary>
public sealed record FillAccepted(long TradeId, string Agent) : IWithAgentId;

/// <summary>Coordinator -> both parties: phase two, the ledger has committed the trade; apply it once.</summary>
public sealed record FillCommitted(int Step, long TradeId, string BuyerId, string SellerId, double PriceAudPerKwh, double EnergyKwh) : IProtocolMessage;

/// <summary>Party -> coordinator: commit applied (or already applied); stop resending it.</summary>
public sealed record CommitAcknowledged(long TradeId, string Agent) : IWithAgentId;

/// <summary>Coordinator -> both parties: the trade is void, nothing moves.</summary>
public sealed record FillVoided(long TradeId, string Reason) : IProtocolMessage;

/// <summary>Coordinator -> facility: retire departures and admit arrivals for this step, then send the roster.</summary>
public sealed record BeginStep(int Step) : IProtocolMessage;

/// <summary>Facility -> EV: you leave now; report your final state to the coordinator and stop.</summary>
public sealed record Depart(int Step) : IProtocolMessage;

/// <summary>EV -> coordinator: my state as I leave, checked by `v2v verify` against the ledger.</summary>
public sealed record DepartureReport(int Step, string Agent, double Soc, double CashAud) : IWithAgentId;

/// <summary>EV (restarted after a crash) -> coordinator: send me my state from the ledger.</summary>
public sealed record RecoverState(string Agent) : IWithAgentId;

/// <summary>Coordinator -> EV: the ledger's view of you: SoC, cash and the trades already applied.</summary>
public sealed record StateRecovered(string Agent, double Soc, double CashAud, IReadOnlyList<long> AppliedTrades) : IWithAgentId;
