using System.Text.Json.Serialization;

namespace V2V.Coordinator.Ledger;

/// <summary>
/// One line of the JSON-lines ledger, the record of truth of a run (DESIGN "One market step", step 5). Every
/// entry names its step; trades are identified by a run-unique id so commits and voids can be matched to them.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(RunStarted), "run")]
[JsonDerivedType(typeof(AgentArrived), "arrival")]
[JsonDerivedType(typeof(AgentDeparted), "departure")]
[JsonDerivedType(typeof(OrderAccepted), "order")]
[JsonDerivedType(typeof(OrderRejected), "rejected")]
[JsonDerivedType(typeof(TradeCleared), "trade")]
[JsonDerivedType(typeof(TradeCommitted), "commit")]
[JsonDerivedType(typeof(TradeVoided), "void")]
[JsonDerivedType(typeof(FaultInjected), "fault")]
[JsonDerivedType(typeof(StepClosed), "step")]
public abstract record LedgerEntry(int Step);

/// <summary>The run's identity: enough to know what produced the ledger.</summary>
public sealed record RunStarted(int Step, int Seed, string Mechanism, string Policy, int Agents, int Steps, double BatteryKwh, double Efficiency)
    : LedgerEntry(Step);

/// <summary>An EV parked; <paramref name="Soc"/> is its arrival state of charge, the base of its ledger balance.</summary>
public sealed record AgentArrived(int Step, string Agent, double Soc, double TargetSoc, int DepartureStep)
    : LedgerEntry(Step);

/// <summary>
/// An EV left. <paramref name="Reported"/> is true when the EV itself reported its final state (a normal
/// departure), false when it was gone without a word (dropout); then Soc and Cash are null.
/// </summary>
public sealed record AgentDeparted(int Step, string Agent, string Reason, bool Reported, double? Soc, double? CashAud)
    : LedgerEntry(Step);

/// <summary>An order in the book, with the sender's private true value sealed in for scoring only (SPEC 3, 8).</summary>
public sealed record OrderAccepted(int Step, string Agent, string Side, double Price, double Quantity, double TrueValue, double ArrivalMs)
    : LedgerEntry(Step);

/// <summary>An order that did not make the book, and why (late, duplicate, not parked...).</summary>
public sealed record OrderRejected(int Step, string Agent, string Reason, double ArrivalMs)
    : LedgerEntry(Step);

/// <summary>A trade the mechanism cleared, awaiting two-phase settlement.</summary>
public sealed record TradeCleared(int Step, long Trade, string Buyer, string Seller, double Price, double Quantity)
    : LedgerEntry(Step);

/// <summary>Both parties accepted; the trade is applied: SoC and money move (SPEC 5).</summary>
public sealed record TradeCommitted(int Step, long Trade) : LedgerEntry(Step);

/// <summary>The trade is void for both parties (a party crashed, left, or did not answer in time).</summary>
public sealed record TradeVoided(int Step, long Trade, string Reason) : LedgerEntry(Step);

/// <summary>A fault the run's fault plan injected.</summary>
public sealed record FaultInjected(int Step, string Agent, string Fault) : LedgerEntry(Step);

/// <summary>
/// End of a step: participation counts for the match rate (SPEC 8) and the clearing certificate: its relative gap and
/// whether it reached the configured gap (<paramref name="Certified"/> false: the solver's iteration or time budget ran
/// out, or the minimum trade kept it above; null for a mechanism without a certificate, and in ledgers written before
/// the field existed). <paramref name="SettledMs"/> is the simulated time (ms since the run began) before which the next
/// step cannot open: the end of this step's settlement window, or the last acknowledged commit of the run so far if that
/// came later. A coordinator that restarts resumes its clock from it (null in ledgers written before the field existed,
/// and in a session without simulated time).
/// </summary>
public sealed record StepClosed(
    int Step,
    int Parked,
    int Active,
    int Matched,
    int Late,
    double? RelativeGap,
    bool? Certified = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? SettledMs = null)
    : LedgerEntry(Step);
