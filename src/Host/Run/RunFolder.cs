using System.Globalization;
using System.Text;
using System.Text.Json;
using V2V.Host.Configuration;
using V2V.Host.Output;
using V2V.Learning;
using V2V.Market.Network;
using V2V.Simulation;

namespace V2V.Host.Run;

/// <summary>
/// A run's folder (DESIGN "Data out"), written in this order:
/// <list type="number">
/// <item><c>config.json</c>, the resolved configuration, right after the folder is made and before step 0 opens, so
/// every run, finished or not, records its settings;</item>
/// <item><c>ledger.jsonl</c>, written step by step while the run goes and flushed at the end of every step;</item>
/// <item>on success, <c>steps.csv</c>, <c>agents.csv</c>, <c>summary.json</c>, and last <c>complete.json</c>:
/// <c>{"status":"complete","steps":S,"ledgerBytes":B}</c> with S the steps run and B the ledger's size in bytes;</item>
/// <item>on a failure or an interruption, instead of the results, <c>incomplete.json</c>:
/// <c>{"status":"incomplete","reason":"failed"|"interrupted","step":K,"cause":"..."}</c>, written after the ledger
/// is flushed, with K the first step the ledger does not close (the step that failed, or the step an interrupted run
/// would have opened next) and the cause on one line. Such a folder never holds <c>complete.json</c>.</item>
/// </list>
/// Every file but the ledger is written atomically. A learned run's summary names its model file, the file's SHA-256
/// and its training metadata, so a result traces to its model.
/// </summary>
public static class RunFolder
{
    public const string Ledger = "ledger.jsonl";

    public const string ConfigJson = "config.json";

    public const string CompleteJson = "complete.json";

    public const string IncompleteJson = "incomplete.json";

    /// <summary>The resolved configuration, written first.</summary>
    public static void WriteConfig(string dir, Config config) =>
        AtomicFile.WriteText(Path.Combine(dir, ConfigJson), config.ToJson());

    /// <summary>The results of a finished run, then the completion marker, the folder's last file.</summary>
    public static void WriteResults(string dir, RunMetrics metrics, SimulationResult result, TimeSpan wall, PolicyModel? model = null, WallClock? clock = null)
    {
        AtomicFile.WriteText(Path.Combine(dir, "steps.csv"), StepsCsv(metrics.Steps()));
        AtomicFile.WriteText(Path.Combine(dir, "agents.csv"), AgentsCsv(metrics.Agents()));
        AtomicFile.Write(Path.Combine(dir, "summary.json"), s => WriteSummary(s, metrics.Summary(), result, wall, model, clock));
        var ledgerBytes = new FileInfo(Path.Combine(dir, Ledger)).Length;
        AtomicFile.Write(Path.Combine(dir, CompleteJson), s => WriteMarker(s, j =>
        {
            j.WriteString("status", "complete");
            j.WriteNumber("steps", result.Trace.StepsClosed);
            j.WriteNumber("ledgerBytes", ledgerBytes);
        }));
    }

    /// <summary>Marks a run that stopped before its end; call it after the ledger is flushed and closed.</summary>
    public static void WriteIncomplete(string dir, IncompleteReason reason, int step, string cause) =>
        AtomicFile.Write(Path.Combine(dir, IncompleteJson), s => WriteMarker(s, j =>
        {
            j.WriteString("status", "incomplete");
            j.WriteString("reason", reason == IncompleteReason.Failed ? "failed" : "interrupted");
            j.WriteNumber("step", step);
            j.WriteString("cause", cause.ReplaceLineEndings(" "));
        }));

    public static string StepsCsv(IReadOnlyList<StepRow> rows)
    {
        var w = new StringBuilder("step,opened_ms,parked,active,matched,late,arrivals,departures,faults,cleared,committed,voided,volume_kwh,welfare_aud,price_mean_aud_per_kwh,relative_gap\n");
        foreach (var r in rows)
        {
            Line(w, r.Step, r.OpenedMs, r.Parked, r.Active, r.Matched, r.Late, r.Arrivals, r.Departures, r.Faults, r.Cleared,
                r.Committed, r.Voided, r.VolumeKwh, r.WelfareAud, r.PriceMeanAudPerKwh, r.RelativeGap);
        }

        return w.ToString();
    }

    public static string AgentsCsv(IReadOnlyList<AgentRow> rows)
    {
        var w = new StringBuilder("agent,slow,arrival_step,planned_departure_step,left_step,exit,arrival_soc,target_soc,ledger_soc,cash_aud,steps_active,steps_matched,trades,bought_kwh,sold_kwh,utility_aud,late_orders,faults\n");
        foreach (var r in rows)
        {
            Line(w, r.Agent, r.Slow, r.ArrivalStep, r.PlannedDepartureStep, r.LeftStep, r.Exit, r.ArrivalSoc, r.TargetSoc,
                r.LedgerSoc, r.CashAud, r.StepsActive, r.StepsMatched, r.Trades, r.BoughtKwh, r.SoldKwh, r.UtilityAud, r.LateOrders, r.Faults);
        }

        return w.ToString();
    }

    private static void Line(StringBuilder w, params object?[] cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                w.Append(',');
            }

            w.Append(cells[i] switch
            {
                null => "",
                double.NaN => "",
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var o => o.ToString(),
            });
        }

        w.Append('\n');
    }

    private static void WriteMarker(Stream stream, Action<Utf8JsonWriter> fields)
    {
        using var j = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        j.WriteStartObject();
        fields(j);
        j.WriteEndObject();
    }

    private static void WriteSummary(Stream stream, RunSummary s, SimulationResult result, TimeSpan wall, PolicyModel? model, WallClock? clock)
    {
        using var j = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        var m = s.Market;
        j.WriteStartObject();
        j.WriteNumber("steps", s.Steps);
        j.WriteNumber("socialWelfareAud", m.SocialWelfareAud);
        j.WriteNumber("volumeKwh", m.VolumeKwh);
        j.WriteNumber("matchRate", m.MatchRate);
        j.WriteNumber("jain", m.JainIndex);
        j.WriteNumber("gini", m.GiniIndex);
        j.WriteNumber("priceMeanAudPerKwh", m.PriceMeanAudPerKwh);
        j.WriteNumber("priceStdAudPerKwh", m.PriceStdAudPerKwh);
        j.WriteNumber("gridEnergyDisplacedKwh", m.GridEnergyDisplacedKwh);
        j.WriteNumber("gridValueDisplacedAud", m.GridValueDisplacedAud);
        j.WriteNumber("agentsEverActive", m.AgentsEverActive);
        j.WriteNumber("ordersAccepted", s.OrdersAccepted);
        j.WriteNumber("lateOrders", s.LateOrders);
        j.WriteNumber("lateOrderRate", s.LateOrderRate);
        j.WriteNumber("tradesCommitted", s.Committed);
        j.WriteNumber("tradesVoided", s.Voided);
        j.WriteStartObject("orderArrivalMsAfterOpen");
        j.WriteNumber("orders", s.ArrivalTimes.Orders);
        j.WriteNumber("p50", s.ArrivalTimes.P50Ms);
        j.WriteNumber("p90", s.ArrivalTimes.P90Ms);
        j.WriteNumber("p99", s.ArrivalTimes.P99Ms);
        j.WriteNumber("max", s.ArrivalTimes.MaxMs);
        j.WriteEndObject();
        WriteClass(j, "fastAgents", s.Fast);
        WriteClass(j, "slowAgents", s.Slow);
        j.WriteStartObject("agentFaults");
        foreach (var (kind, n) in s.Faults)
        {
            j.WriteNumber(kind, n);
        }

        j.WriteEndObject();
        j.WriteStartObject("messageFaults");
        j.WriteNumber("dropped", result.MessagesDropped);
        j.WriteNumber("duplicated", result.MessagesDuplicated);
        j.WriteNumber("delayed", result.MessagesDelayed);
        j.WriteEndObject();
        if (model is not null)
        {
            WriteModel(j, model, result.PolicyVersion);
        }

        j.WriteStartObject("runtime");
        j.WriteNumber("messagesDelivered", result.MessagesDelivered);
        j.WriteNumber("commitsResent", result.Trace.CommitsResent);
        j.WriteNumber("coordinatorRestarts", result.Trace.CoordinatorRestarts);
        j.WriteNumber("virtualHours", result.VirtualDuration.TotalHours);
        j.WriteNumber("wallSeconds", wall.TotalSeconds);
        if (clock is not null)
        {
            // A wall-clock run's late orders depend on the machine: the summary says so next to its timing.
            j.WriteString("clock", WallClock.Wall);
            j.WriteNumber("stepWallMs", clock.StepWallMs);
            j.WriteBoolean("reproducible", false);
        }

        j.WriteEndObject();
        j.WriteEndObject();
    }

    private static void WriteModel(Utf8JsonWriter j, PolicyModel model, long? policyVersion)
    {
        j.WriteStartObject("model");
        j.WriteString("file", model.File);
        j.WriteString("sha256", model.Sha256);
        j.WriteNumber("formatVersion", model.FormatVersion);
        if (policyVersion is { } v)
        {
            j.WriteNumber("policyVersion", v);
        }

        j.WriteStartObject("training");
        foreach (var (key, value) in model.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            j.WriteString(key, value);
        }

        j.WriteEndObject();
        j.WriteEndObject();
    }

    private static void WriteClass(Utf8JsonWriter j, string name, ClassMetrics c)
    {
        j.WriteStartObject(name);
        j.WriteNumber("agents", c.Agents);
        j.WriteNumber("welfareAud", c.WelfareAud);
        j.WriteNumber("meanUtilityAud", c.MeanUtilityAud);
        j.WriteNumber("matchRate", c.MatchRate);
        j.WriteEndObject();
    }
}

/// <summary>Why a run folder is marked incomplete.</summary>
public enum IncompleteReason
{
    /// <summary>An internal failure stopped the run.</summary>
    Failed,

    /// <summary>SIGINT or SIGTERM stopped the run at a step boundary.</summary>
    Interrupted,
}
