using V2V.Clearing;
using V2V.Coordinator.Ledger;
using V2V.Coordinator.Metrics;
using V2V.Market.Configuration;
using V2V.Market.Orders;
using V2V.Market.Protocol;

namespace V2V.Coordinator.Session;

/// <summary>
/// The market coordinator's state and decisions (DESIGN "One market step"), free of actors: it admits orders until
/// the deadline, clears the book, runs two-phase settlement, writes the ledger and keeps each agent's
/// ledger balance (for crash recovery and `verify`). Every ledger entry it writes it writes exactly once.
/// </summary>
public sealed partial class MarketSession
{
    private readonly MarketConfig config;
    private readonly IClearingMechanism mechanism;
    private readonly ILedgerSink ledger;
    private readonly Dictionary<string, AgentAccount> accounts = new(StringComparer.Ordinal);
    private readonly List<SubmitOrder> book = [];
    private readonly HashSet<string> inBook = new(StringComparer.Ordinal);
    private readonly Dictionary<long, PendingTrade> pending = [];
    private readonly HashSet<string> matched = new(StringComparer.Ordinal);
    private readonly List<ScoredTrade> scored = [];
    private readonly SortedDictionary<long, Trade> stepCommitted = [];
    private readonly List<StepParticipation> participation = [];
    private readonly HashSet<string> everActive = new(StringComparer.Ordinal);
    private long nextTradeId;
    private int late;
    private double? lastGap;
    private bool? lastCertified;

    public MarketSession(MarketConfig config, IClearingMechanism mechanism, ILedgerSink ledger)
        : this(config, mechanism, ledger, writeHeader: true)
    {
    }

    private MarketSession(MarketConfig config, IClearingMechanism mechanism, ILedgerSink ledger, bool writeHeader)
    {
        this.config = config;
        this.mechanism = mechanism;
        this.ledger = ledger;
        Prices = new PriceHistory(
            (config.Tariff.FeedInTariffAudPerKwh + config.Tariff.GridPriceAudPerKwh) / 2,
            config.Metrics.RecentPriceWindowSteps);
        if (writeHeader)
        {
            ledger.Append(Header(config, mechanism));
        }
    }

    /// <summary>The run header this session writes (and a resumed session expects to find).</summary>
    public static RunStarted Header(MarketConfig config, IClearingMechanism mechanism) =>
        new(0, config.Seed, mechanism.Name, config.Policy.Kind, config.Population.Agents,
            config.Time.TotalSteps, config.Vehicle.BatteryKwh, config.Vehicle.Efficiency);

    public int Step { get; private set; } = -1;

    public bool IsOpen { get; private set; }

    public double DeadlineMs { get; private set; }

    /// <summary>The clearing prices the next step's observations see (SPEC 7).</summary>
    public PriceHistory Prices { get; }

    public IReadOnlyList<ScoredTrade> ScoredTrades => scored;

    public IReadOnlyList<StepParticipation> Participation => participation;

    public IReadOnlyCollection<string> EverActive => everActive;

    /// <summary>The open or last step's book: its accepted orders in arrival order (an order dropped before the deadline left it).</summary>
    public IReadOnlyList<SubmitOrder> Book => book;

    /// <summary>The open or last step's committed trades, in the order they were cleared (by trade id).</summary>
    public IReadOnlyList<Trade> StepCommittedTrades => [.. stepCommitted.Values];

    public int LateOrders { get; private set; }

    public int VoidedTrades { get; private set; }

    public int CommittedTrades { get; private set; }

    public int FaultCount { get; private set; }

    /// <summary>Whether a cleared trade still waits for its acceptances (neither committed nor void).</summary>
    public bool IsPending(long tradeId) => pending.ContainsKey(tradeId);

    public bool IsParked(string agent) => accounts.TryGetValue(agent, out var a) && !a.Departed;

    public void Arrive(int step, string agent, double soc, double targetSoc, int departureStep)
    {
        if (accounts.ContainsKey(agent))
        {
            throw new InvalidOperationException($"{agent} arrived twice");
        }

        accounts[agent] = new AgentAccount(soc);
        ledger.Append(new AgentArrived(step, agent, soc, targetSoc, departureStep));
    }

    /// <summary>A normal departure: the EV reported its own final state, which `verify` checks against the ledger.</summary>
    public void Depart(DepartureReport report)
    {
        if (accounts.TryGetValue(report.Agent, out var a) && !a.Departed)
        {
            a.Departed = true;
            ledger.Append(new AgentDeparted(report.Step, report.Agent, "departed", true, report.Soc, report.CashAud));
            VoidTradesOf(report.Agent, "party-left");
        }
    }

    /// <summary>The EV is gone without a report (dropout, crash beyond restart, node lost): void its open trades.</summary>
    public IReadOnlyList<(PendingTrade Trade, string Reason)> Drop(int step, string agent, string reason)
    {
        if (!accounts.TryGetValue(agent, out var a) || a.Departed)
        {
            return [];
        }

        a.Departed = true;
        ledger.Append(new AgentDeparted(step, agent, reason, false, null, null));

        // Gone before the deadline: its order leaves the book, so nobody is matched with an absent party.
        if (IsOpen && inBook.Remove(agent))
        {
            book.RemoveAll(o => o.Agent == agent);
        }

        return VoidTradesOf(agent, "party-" + reason);
    }

    public void RecordFault(int step, string agent, string fault)
    {
        FaultCount++;
        ledger.Append(new FaultInjected(step, agent, fault));
    }

    /// <summary>The ledger's view of an agent, for a restarted EV to rebuild its state from.</summary>
    public StateRecovered Recover(string agent)
    {
        var a = accounts[agent];
        return new StateRecovered(agent, a.Soc, a.CashAud, [.. a.Applied]);
    }

    /// <summary>Opens a step: orders are taken until <paramref name="deadlineMs"/>.</summary>
    public void Open(int step, double deadlineMs)
    {
        if (IsOpen || pending.Count > 0)
        {
            throw new InvalidOperationException($"step {step} opened before step {Step} was settled");
        }

        Step = step;
        IsOpen = true;
        DeadlineMs = deadlineMs;
        book.Clear();
        inBook.Clear();
        matched.Clear();
        stepCommitted.Clear();
        late = 0;
        lastGap = null;
        lastCertified = null;
    }

    /// <summary>
    /// Takes an order, or says why not: a late order (after the deadline or for another step), one from an agent
    /// that is not parked, a second one from the same agent, or one with an invalid price or quantity.
    /// </summary>
    public string? Receive(SubmitOrder order, double nowMs)
    {
        var reason = order.Step != Step || !IsOpen || nowMs > DeadlineMs ? "late"
            : !IsParked(order.Agent) ? "not-parked"
            : inBook.Contains(order.Agent) ? "duplicate"
            : !double.IsFinite(order.PriceAudPerKwh) || order.PriceAudPerKwh < 0 ? "invalid-price"
            : !double.IsFinite(order.EnergyKwh) || order.EnergyKwh <= 0 ? "invalid-quantity"
            : null;
        if (reason is null)
        {
            book.Add(order);
            inBook.Add(order.Agent);
            everActive.Add(order.Agent);
            ledger.Append(new OrderAccepted(order.Step, order.Agent, order.Side == Side.Buyer ? "buyer" : "seller",
                order.PriceAudPerKwh, order.EnergyKwh, order.TrueValueAudPerKwh, nowMs));
            return null;
        }

        if (reason == "late")
        {
            late++;
            LateOrders++;
        }

        if (reason != "duplicate")
        {
            ledger.Append(new OrderRejected(order.Step, order.Agent, reason, nowMs));
        }

        return reason;
    }

    /// <summary>At the deadline: clear the book, write each trade to the ledger, and return the fills to propose.</summary>
    public IReadOnlyList<Fill> Clear()
    {
        IsOpen = false;
        var bids = new List<Order>();
        var asks = new List<Order>();
        foreach (var o in book)
        {
            (o.Side == Side.Buyer ? bids : asks).Add(new Order(o.Agent, o.PriceAudPerKwh, o.EnergyKwh));
        }

        var result = mechanism.Clear(new OrderBook(bids, asks, config.Clearing.EpsilonAud));
        lastGap = result.Certificate?.RelativeGap;
        lastCertified = result.Certificate?.Certified;
        var fills = new List<Fill>(result.Trades.Count);
        foreach (var t in result.Trades)
        {
            var id = nextTradeId++;
            var fill = new Fill(Step, id, t.BuyerId, t.SellerId, t.PriceAudPerKwh, t.EnergyKwh);
            pending[id] = new PendingTrade(fill);
            ledger.Append(new TradeCleared(Step, id, t.BuyerId, t.SellerId, t.PriceAudPerKwh, t.EnergyKwh));
            fills.Add(fill);
        }

        return fills;
    }

    /// <summary>
    /// Phase one answer. When both parties have accepted, the trade commits: ledger first, then the parties' ledger
    /// balances; the committed fill is returned, for both. Repeats and answers for settled trades return null.
    /// </summary>
    public Fill? Accept(long tradeId, string agent)
    {
        if (!pending.TryGetValue(tradeId, out var p))
        {
            return null;
        }

        if (agent == p.Fill.BuyerId)
        {
            p.BuyerAccepted = true;
        }
        else if (agent == p.Fill.SellerId)
        {
            p.SellerAccepted = true;
        }

        if (!p.BuyerAccepted || !p.SellerAccepted)
        {
            return null;
        }

        pending.Remove(tradeId);
        Commit(p.Fill);
        return p.Fill;
    }

    /// <summary>The settlement window closed: void what is not committed ("timeout").</summary>
    public IReadOnlyList<(PendingTrade Trade, string Reason)> ExpireSettlement()
    {
        var voided = new List<(PendingTrade, string)>();
        foreach (var id in pending.Keys.Order().ToList())
        {
            voided.Add((pending[id], "timeout"));
            Void(id, "timeout");
        }

        return voided;
    }

    /// <summary>
    /// The step is settled (every commit delivered): record it and make the ledger durable. <paramref name="settledMs"/>
    /// is the simulated time the next step cannot open before (null without simulated time).
    /// </summary>
    public void CloseStep(double? settledMs = null)
    {
        if (pending.Count > 0)
        {
            throw new InvalidOperationException($"step {Step} closed with {pending.Count} trades neither committed nor void");
        }

        participation.Add(new StepParticipation(Step, book.Count, matched.Count));
        ledger.Append(new StepClosed(Step, ParkedCount(), book.Count, matched.Count, late, lastGap, lastCertified, settledMs));
        Prices.CloseStep();
        ledger.Flush();
    }

    private int ParkedCount()
    {
        var n = 0;
        foreach (var a in accounts.Values)
        {
            n += a.Departed ? 0 : 1;
        }

        return n;
    }
}
