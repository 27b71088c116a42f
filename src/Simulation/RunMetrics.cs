using V2V.Coordinator.Ledger;
using V2V.Coordinator.Metrics;
using V2V.Market.Configuration;

namespace V2V.Simulation;

/// <summary>One row of steps.csv.</summary>
public sealed record StepRow(
    int Step, double OpenedMs, int Parked, int Active, int Matched, int Late, int Arrivals, int Departures, int Faults,
    int Cleared, int Committed, int Voided, double VolumeKwh, double WelfareAud, double PriceMeanAudPerKwh, double? RelativeGap);

/// <summary>One row of agents.csv: an EV's stay as the ledger tells it.</summary>
public sealed record AgentRow(
    string Agent, bool Slow, int ArrivalStep, int PlannedDepartureStep, int? LeftStep, string Exit, double ArrivalSoc,
    double TargetSoc, double LedgerSoc, double CashAud, int StepsActive, int StepsMatched, int Trades, double BoughtKwh,
    double SoldKwh, double UtilityAud, int LateOrders, int Faults);

/// <summary>Welfare and match rate of one latency class (issue 3, part 3).</summary>
public sealed record ClassMetrics(int Agents, double WelfareAud, double MeanUtilityAud, double MatchRate);

/// <summary>Order arrival times after their step opened, in ms (nearest-rank percentiles).</summary>
public sealed record ArrivalTimes(int Orders, double P50Ms, double P90Ms, double P99Ms, double MaxMs);

/// <summary>Everything summary.json holds about a run's market, derived from its ledger alone (plus step opening times).</summary>
public sealed record RunSummary(
    MetricsSummary Market, int Steps, int OrdersAccepted, int LateOrders, double LateOrderRate, int Committed, int Voided,
    IReadOnlyDictionary<string, int> Faults, ArrivalTimes ArrivalTimes, ClassMetrics Fast, ClassMetrics Slow);

/// <summary>
/// The run folder's metrics as pure functions of the ledger (STYLE: metrics take a ledger and return numbers). The
/// SPEC 8 numbers go through <see cref="MarketMetrics"/> with trades scored on the true values sealed in the orders,
/// so they equal what the coordinator's session computed live.
/// </summary>
public sealed class RunMetrics
{
    private readonly Dictionary<(int, string), OrderAccepted> orders = [];
    private readonly Dictionary<long, TradeCleared> trades = [];
    private readonly List<ScoredTrade> scored = [];
    private readonly List<StepParticipation> participation = [];
    private readonly SortedSet<string> everActive = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, AgentAccumulator> agents = new(StringComparer.Ordinal);
    private readonly SortedDictionary<int, StepAccumulator> steps = [];
    private readonly SortedDictionary<string, int> faults = new(StringComparer.Ordinal);
    private readonly List<double> arrivalMs = [];
    private readonly MarketConfig config;
    private readonly IReadOnlyList<double> openedMs;
    private readonly Func<string, bool> isSlow;
    private int committed;
    private int voided;
    private int late;

    public RunMetrics(IEnumerable<LedgerEntry> ledger, MarketConfig config, IReadOnlyList<double> stepOpenedMs, Func<string, bool> isSlow)
    {
        this.config = config;
        openedMs = stepOpenedMs;
        this.isSlow = isSlow;
        foreach (var e in ledger)
        {
            Add(e);
        }
    }

    public IReadOnlyList<StepRow> Steps()
    {
        var rows = new List<StepRow>(steps.Count);
        foreach (var (step, s) in steps)
        {
            rows.Add(new StepRow(step, OpenedAt(step), s.Parked, s.Active, s.Matched, s.Late, s.Arrivals, s.Departures, s.Faults,
                s.Cleared, s.Committed, s.Voided, s.VolumeKwh, s.WelfareAud, s.VolumeKwh > 0 ? s.ValueAud / s.VolumeKwh : 0, s.Gap));
        }

        return rows;
    }

    public IReadOnlyList<AgentRow> Agents()
    {
        var utilities = MarketMetrics.AgentUtilities(scored, everActive, config.Vehicle.Efficiency);
        var rows = new List<AgentRow>(agents.Count);
        foreach (var (id, a) in agents)
        {
            rows.Add(new AgentRow(id, isSlow(id), a.Arrival.Step, a.Arrival.DepartureStep, a.LeftStep, a.Exit, a.Arrival.Soc,
                a.Arrival.TargetSoc, a.Soc, a.CashAud, a.StepsActive, a.MatchedSteps.Count, a.Trades, a.BoughtKwh, a.SoldKwh,
                utilities.GetValueOrDefault(id), a.Late, a.Faults));
        }

        return rows;
    }

    public RunSummary Summary()
    {
        var market = MarketMetrics.Compute(scored, participation, everActive, config.Vehicle.Efficiency);
        var rows = Agents();
        var total = orders.Count + late;
        return new RunSummary(market, participation.Count, orders.Count, late, total == 0 ? 0 : (double)late / total,
            committed, voided, faults, Percentiles(arrivalMs), Class(rows, slow: false), Class(rows, slow: true));
    }

    private static ClassMetrics Class(IReadOnlyList<AgentRow> rows, bool slow)
    {
        int n = 0;
        long active = 0, matched = 0;
        double welfare = 0;
        foreach (var r in rows)
        {
            if (r.Slow == slow)
            {
                n++;
                welfare += r.UtilityAud;
                active += r.StepsActive;
                matched += r.StepsMatched;
            }
        }

        return new ClassMetrics(n, welfare, n == 0 ? 0 : welfare / n, active == 0 ? 0 : (double)matched / active);
    }

    private static ArrivalTimes Percentiles(List<double> values)
    {
        if (values.Count == 0)
        {
            return new ArrivalTimes(0, 0, 0, 0, 0);
        }

        var sorted = values.ToArray();
        Array.Sort(sorted);
        double Rank(double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];
        return new ArrivalTimes(sorted.Length, Rank(0.5), Rank(0.9), Rank(0.99), sorted[^1]);
    }

    private double OpenedAt(int step) => step < openedMs.Count ? openedMs[step] : double.NaN;

    private StepAccumulator StepOf(int step)
    {
        if (!steps.TryGetValue(step, out var s))
        {
            steps[step] = s = new StepAccumulator();
        }

        return s;
    }

    private void Add(LedgerEntry entry)
    {
        switch (entry)
        {
            case AgentArrived a:
                agents[a.Agent] = new AgentAccumulator(a);
                StepOf(a.Step).Arrivals++;
                break;
            case AgentDeparted d:
                agents[d.Agent].LeftStep = d.Step;
                agents[d.Agent].Exit = d.Reason;
                StepOf(d.Step).Departures++;
                break;
            case OrderAccepted o:
                orders[(o.Step, o.Agent)] = o;
                everActive.Add(o.Agent);
                agents[o.Agent].StepsActive++;
                arrivalMs.Add(o.ArrivalMs - OpenedAt(o.Step));
                break;
            case OrderRejected r when r.Reason == "late":
                late++;
                agents[r.Agent].Late++;
                arrivalMs.Add(r.ArrivalMs - OpenedAt(r.Step));
                break;
            case TradeCleared t:
                trades[t.Trade] = t;
                StepOf(t.Step).Cleared++;
                break;
            case TradeCommitted c:
                Commit(trades[c.Trade]);
                break;
            case TradeVoided x:
                voided++;
                StepOf(x.Step).Voided++;
                break;
            case FaultInjected f:
                faults[f.Fault] = faults.GetValueOrDefault(f.Fault) + 1;
                agents[f.Agent].Faults++;
                StepOf(f.Step).Faults++;
                break;
            case StepClosed s:
                participation.Add(new StepParticipation(s.Step, s.Active, s.Matched));
                var row = StepOf(s.Step);
                (row.Parked, row.Active, row.Matched, row.Late, row.Gap) = (s.Parked, s.Active, s.Matched, s.Late, s.RelativeGap);
                break;
        }
    }

    // SPEC 5 and 8: the ledger balance moves as in settlement; utilities are scored on the sealed true values.
    private void Commit(TradeCleared t)
    {
        committed++;
        var eta = config.Vehicle.Efficiency;
        var battery = config.Vehicle.BatteryKwh;
        var v = orders[(t.Step, t.Buyer)].TrueValue;
        var c = orders[(t.Step, t.Seller)].TrueValue;
        scored.Add(new ScoredTrade(t.Step, t.Buyer, t.Seller, t.Price, t.Quantity, v, c,
            config.Tariff.GridPriceAt(t.Step % config.Time.StepsPerDay)));
        var buyer = agents[t.Buyer];
        var seller = agents[t.Seller];
        buyer.Soc += eta * t.Quantity / battery;
        buyer.CashAud -= t.Price * t.Quantity;
        buyer.BoughtKwh += t.Quantity;
        buyer.Trades++;
        buyer.MatchedSteps.Add(t.Step);
        seller.Soc -= t.Quantity / battery;
        seller.CashAud += t.Price * t.Quantity;
        seller.SoldKwh += t.Quantity;
        seller.Trades++;
        seller.MatchedSteps.Add(t.Step);
        var s = StepOf(t.Step);
        s.Committed++;
        s.VolumeKwh += t.Quantity;
        s.ValueAud += t.Price * t.Quantity;
        s.WelfareAud += t.Quantity * ((eta * v) - c);
    }

    private sealed class AgentAccumulator(AgentArrived arrival)
    {
        public AgentArrived Arrival { get; } = arrival;

        public double Soc { get; set; } = arrival.Soc;

        public double CashAud { get; set; }

        public int? LeftStep { get; set; }

        public string Exit { get; set; } = "parked";

        public int StepsActive { get; set; }

        public HashSet<int> MatchedSteps { get; } = [];

        public int Trades { get; set; }

        public double BoughtKwh { get; set; }

        public double SoldKwh { get; set; }

        public int Late { get; set; }

        public int Faults { get; set; }
    }

    private sealed class StepAccumulator
    {
        public int Parked { get; set; }

        public int Active { get; set; }

        public int Matched { get; set; }

        public int Late { get; set; }

        public int Arrivals { get; set; }

        public int Departures { get; set; }

        public int Faults { get; set; }

        public int Cleared { get; set; }

        public int Committed { get; set; }

        public int Voided { get; set; }

        public double VolumeKwh { get; set; }

        public double ValueAud { get; set; }

        public double WelfareAud { get; set; }

        public double? Gap { get; set; }
    }
}
