using V2V.Clearing;
using V2V.Coordinator.Ledger;
using V2V.Coordinator.Recovery;
using V2V.Market.Configuration;
using V2V.Market.Orders;

namespace V2V.Coordinator.Session;

/// <summary>
/// A session rebuilt from the ledger it wrote (a coordinator that restarts resumes from it): every balance, trade id,
/// price, count and scored trade is replayed from the records, in their order, by the same arithmetic that wrote them;
/// nothing is cleared again and nothing is written. The records must end at a step's close (checked by
/// <see cref="LedgerResume"/>): an open step has no state a resumed session could take over.
/// </summary>
public sealed partial class MarketSession
{
    /// <summary>
    /// The session as it was when the last step of <paramref name="entries"/> closed. A record that contradicts the
    /// ones before it (an EV arriving twice, a commit of a trade never cleared) is a <see cref="LedgerResumeException"/>
    /// naming its line.
    /// </summary>
    public static MarketSession Replay(MarketConfig config, IClearingMechanism mechanism, ILedgerSink ledger, IReadOnlyList<NumberedEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var s = new MarketSession(config, mechanism, ledger, writeHeader: false);
        var cleared = new Dictionary<long, Fill>();

        // The true values of the orders of the step being replayed, by EV: what a commit is scored on.
        var trueValues = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (line, entry) in entries)
        {
            switch (entry)
            {
                case AgentArrived a when !s.accounts.TryAdd(a.Agent, new AgentAccount(a.Soc)):
                    throw new LedgerResumeException($"line {line}: {a.Agent} arrives a second time");
                case AgentDeparted d:
                    s.AccountAt(line, d.Agent).Departed = true;
                    break;
                case OrderAccepted o:
                    trueValues[o.Agent] = o.TrueValue;
                    s.everActive.Add(o.Agent);
                    break;
                case OrderRejected { Reason: "late" }:
                    s.LateOrders++;
                    break;
                case TradeCleared t:
                    cleared[t.Trade] = new Fill(t.Step, t.Trade, t.Buyer, t.Seller, t.Price, t.Quantity);
                    s.nextTradeId = Math.Max(s.nextTradeId, t.Trade + 1);
                    break;
                case TradeCommitted c:
                    s.ReplayCommit(line, cleared, c.Trade, trueValues);
                    break;
                case TradeVoided:
                    s.VoidedTrades++;
                    break;
                case FaultInjected:
                    s.FaultCount++;
                    break;
                case StepClosed c:
                    s.Step = c.Step;
                    s.participation.Add(new(c.Step, c.Active, c.Matched));
                    s.Prices.CloseStep();
                    trueValues.Clear();
                    break;
            }
        }

        return s;
    }

    private void ReplayCommit(int line, Dictionary<long, Fill> cleared, long trade, Dictionary<string, double> trueValues)
    {
        if (!cleared.Remove(trade, out var fill))
        {
            throw new LedgerResumeException($"line {line}: trade {trade} commits without being cleared, or twice");
        }

        AccountAt(line, fill.BuyerId);
        AccountAt(line, fill.SellerId);
        if (!trueValues.TryGetValue(fill.BuyerId, out var value) || !trueValues.TryGetValue(fill.SellerId, out var cost))
        {
            throw new LedgerResumeException($"line {line}: trade {trade} commits for an EV without an order in step {fill.Step}");
        }

        Apply(fill, value, cost);
    }

    private AgentAccount AccountAt(int line, string agent) =>
        accounts.TryGetValue(agent, out var a) ? a : throw new LedgerResumeException($"line {line}: {agent} has not arrived");
}
