using V2V.Market.Orders;

namespace V2V.Market.Protocol;

// The market messages between an EV and its coordinator (DESIGN "One market step"). Every one carries the simulated
// times it needs: the coordinator, the clock of its facility, orders what it received by simulated arrival and EV id,
// never by physical arrival. Each phase of a step is a barrier: the coordinator sends one message per EV and party,
// and waits until each has answered or has a verdict. The simulated network (latency, loss, duplication, delay) is
// applied by the coordinator to both directions; an EV only ever sees what the network delivered.

/// <summary>
/// Coordinator -> EV: step <paramref name="Step"/> is open until <paramref name="DeadlineMs"/> (simulated ms since the
/// run began); the opening reached the EV at <paramref name="ArrivedMs"/>. Prices are the last step's clearing price and
/// the recent mean, for the observation (SPEC 7). <paramref name="Copy"/> is 1 for a duplicate the network made.
/// </summary>
public sealed record StepOpened(
    int Step, string Agent, double ArrivedMs, double DeadlineMs, double LastPriceAudPerKwh, double RecentPriceAudPerKwh, int Copy = 0)
    : IWithAgentId;

/// <summary>
/// An order for a step: the book entry. <paramref name="TrueValueAudPerKwh"/> is sealed in for scoring the metrics and
/// rewards only (SPEC 3, 8); no mechanism sees it. <paramref name="CriticRow"/> is set only when training: the EV's
/// observation then the action it took (SPEC 7's critic row), for the coordinator's scorer.
/// </summary>
public sealed record SubmitOrder(
    int Step, string Agent, Side Side, double PriceAudPerKwh, double EnergyKwh, double TrueValueAudPerKwh, float[]? CriticRow = null)
    : IWithAgentId;

/// <summary>A fault the EV's plan injected at a step's opening, reported with its answer (control plane: never lost).</summary>
public enum EvFault
{
    None,

    /// <summary>The EV crashes on the opening (it had no order) or, with an order, on the step's first commit.</summary>
    Crash,
    DropoutOnOpen,
    DropoutAfterOrder,

    /// <summary>Gone at the deadline, after clearing, before settlement.</summary>
    DropoutAfterClearing,
}

/// <summary>
/// EV -> coordinator: the answer to <see cref="StepOpened"/>, sent at simulated <paramref name="SentMs"/>: an order,
/// or none (neutral, nothing to trade), and the fault the plan injects at this step, if any. The network applies to
/// the order only; the fault report rides the control plane.
/// </summary>
public sealed record OrderAnswer(int Step, string Agent, double SentMs, SubmitOrder? Order, EvFault Fault) : IWithAgentId;

/// <summary>Coordinator -> EV: the order did not make the book (informational: no answer).</summary>
public sealed record OrderRefused(int Step, string Agent, string Reason) : IWithAgentId;

/// <summary>Coordinator -> a party: phase one of settlement; the proposal reached <paramref name="Agent"/> at <paramref name="ArrivedMs"/>.</summary>
public sealed record FillProposed(Fill Fill, string Agent, double ArrivedMs, int Copy = 0) : IWithAgentId;

/// <summary>Party -> coordinator: I am here and take the fill (sent at simulated <paramref name="SentMs"/>).</summary>
public sealed record FillAccepted(int Step, long TradeId, string Agent, double SentMs) : IWithAgentId;

/// <summary>
/// Coordinator -> a party: phase two, the ledger has committed the trade; apply it once (by trade id).
/// <paramref name="Attempt"/> counts resends; the commit reached the party at <paramref name="ArrivedMs"/>.
/// </summary>
public sealed record FillCommitted(Fill Fill, string Agent, int Attempt, double ArrivedMs, int Copy = 0) : IWithAgentId;

/// <summary>
/// Party -> coordinator: the answer to attempt <paramref name="Attempt"/> of a commit: applied (or already applied), or
/// <paramref name="Crashed"/> before applying it (a planned crash; the coordinator resends once it has recovered).
/// </summary>
public sealed record CommitAnswer(int Step, long TradeId, string Agent, int Attempt, double SentMs, bool Crashed) : IWithAgentId;

/// <summary>Coordinator -> a party: the trade is void, nothing moves (informational: no answer).</summary>
public sealed record FillVoided(int Step, long TradeId, string Agent, string Reason) : IWithAgentId;

/// <summary>EV (restarted after a crash) -> coordinator: send me my state from the ledger (control plane).</summary>
public sealed record RecoverState(string Agent) : IWithAgentId;

/// <summary>Coordinator -> EV: the ledger's view of you: SoC, cash and the trades already applied.</summary>
public sealed record StateRecovered(string Agent, double Soc, double CashAud, IReadOnlyList<long> AppliedTrades) : IWithAgentId;
