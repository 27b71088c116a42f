using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using V2V.Host.Output;
using V2V.Host.Study;
using V2V.Market.Configuration;
using V2V.Simulation;
using V2V.Simulation.Facilities;

namespace V2V.Host.Run;

/// <summary>
/// The run-level results of a run of several facilities: summary.json (the totals over the facilities, the run's
/// timing, one line per facility) and complete.json <c>{"status":"complete","steps":S,"facilities":F}</c>, written
/// last; and the table `v2v run` prints. Timing: <c>wallSeconds</c> from the folders' creation to the results written,
/// <c>simulationSeconds</c> the part the facilities ran (the rates are per simulation second), and the wall time
/// of every facility's steps (<see cref="FacilitySetResult.StepWallMs"/>), median, 99th percentile and maximum. The totals are sums of the facilities' own summary.json numbers, which
/// `v2v verify` checks.
/// </summary>
internal sealed class FacilitiesSummary(MarketConfig market, IReadOnlyList<FacilitiesSummary.Row> rows, IReadOnlyList<IReadOnlyList<double>> stepWallMs, TimeSpan simulated, TimeSpan wall)
{
    /// <summary>One facility's line: what it is and its results.</summary>
    public sealed record Row(Facility Facility, RunSummary Summary, SimulationResult Result);

    // Every step of every facility, and every step but each facility's first (which starts its actors and warms up).
    private readonly IReadOnlyList<double> allSteps = [.. stepWallMs.SelectMany(f => f)];
    private readonly IReadOnlyList<double> laterSteps = [.. stepWallMs.SelectMany(f => f.Skip(1))];

    private double WelfareAud => rows.Sum(r => r.Summary.Market.SocialWelfareAud);

    private double VolumeKwh => rows.Sum(r => r.Summary.Market.VolumeKwh);

    private long Committed => rows.Sum(r => (long)r.Summary.Committed);

    private long Voided => rows.Sum(r => (long)r.Summary.Voided);

    private long Messages => rows.Sum(r => r.Result.MessagesDelivered);

    private int StepsClosed => rows.Sum(r => r.Result.Trace.StepsClosed);

    public void Write(string dir)
    {
        AtomicFile.Write(Path.Combine(dir, "summary.json"), WriteSummary);
        AtomicFile.Write(Path.Combine(dir, RunFolder.CompleteJson), s =>
        {
            using var j = new Utf8JsonWriter(s, new JsonWriterOptions { Indented = true });
            j.WriteStartObject();
            j.WriteString("status", "complete");
            j.WriteNumber("steps", market.Time.TotalSteps);
            j.WriteNumber("facilities", rows.Count);
            j.WriteEndObject();
        });
    }

    private void WriteSummary(Stream stream)
    {
        using var j = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        j.WriteStartObject();
        j.WriteNumber("facilities", rows.Count);
        j.WriteNumber("agentsPerFacility", market.Population.Agents);
        j.WriteNumber("steps", market.Time.TotalSteps);
        j.WriteNumber("socialWelfareAud", WelfareAud);
        j.WriteNumber("volumeKwh", VolumeKwh);
        j.WriteNumber("agentsEverActive", rows.Sum(r => (long)r.Summary.Market.AgentsEverActive));
        j.WriteNumber("ordersAccepted", rows.Sum(r => (long)r.Summary.OrdersAccepted));
        j.WriteNumber("tradesCommitted", Committed);
        j.WriteNumber("tradesVoided", Voided);
        j.WriteStartObject("runtime");
        j.WriteNumber("wallSeconds", wall.TotalSeconds);
        j.WriteNumber("simulationSeconds", simulated.TotalSeconds);
        j.WriteNumber("stepsClosed", StepsClosed);
        j.WriteNumber("stepsPerSecond", StepsClosed / simulated.TotalSeconds);
        j.WriteNumber("messagesDelivered", Messages);
        j.WriteNumber("messagesPerSecond", Messages / simulated.TotalSeconds);
        WriteSteps(j, "stepWallMs", allSteps);
        WriteSteps(j, "stepWallMsAfterFirst", laterSteps);
        j.WriteEndObject();
        j.WriteStartArray("perFacility");
        foreach (var r in rows)
        {
            var m = r.Summary.Market;
            j.WriteStartObject();
            j.WriteString("id", r.Facility.Id);
            j.WriteNumber("seed", r.Facility.Market.Seed);
            j.WriteNumber("socialWelfareAud", m.SocialWelfareAud);
            j.WriteNumber("volumeKwh", m.VolumeKwh);
            j.WriteNumber("matchRate", m.MatchRate);
            j.WriteNumber("tradesCommitted", r.Summary.Committed);
            j.WriteNumber("tradesVoided", r.Summary.Voided);
            j.WriteEndObject();
        }

        j.WriteEndArray();
        j.WriteEndObject();
    }

    private static void WriteSteps(Utf8JsonWriter j, string name, IReadOnlyList<double> ms)
    {
        j.WriteStartObject(name);
        j.WriteNumber("steps", ms.Count);
        j.WriteNumber("p50", ms.Count == 0 ? 0 : StudyStatistics.Quantile(ms, 0.5));
        j.WriteNumber("p99", ms.Count == 0 ? 0 : StudyStatistics.Quantile(ms, 0.99));
        j.WriteNumber("max", ms.Count == 0 ? 0 : ms.Max());
        j.WriteEndObject();
    }

    public void WriteTable(TextWriter output, string dir)
    {
        var console = SummaryTable.ConsoleFor(output);
        var table = new Table()
            .Title($"{market.Clearing.Mechanism}, {market.Policy.Kind}, {rows.Count} facilities x N={market.Population.Agents}, {market.Time.Days} days, seed {market.Seed}")
            .AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        void Add(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Add("social welfare, all facilities (AUD)", F(WelfareAud, "F2"));
        Add("volume, all facilities (kWh)", F(VolumeKwh, "F1"));
        Add("trades committed / voided", $"{Committed} / {Voided}");
        Add("steps closed (all facilities)", StepsClosed.ToString(CultureInfo.InvariantCulture));
        Add("step wall time p50 / p99 (ms)", $"{F(StudyStatistics.Quantile(allSteps, 0.5), "F1")} / {F(StudyStatistics.Quantile(allSteps, 0.99), "F1")}");
        Add("the same after each facility's first step", $"{F(StudyStatistics.Quantile(laterSteps, 0.5), "F1")} / {F(StudyStatistics.Quantile(laterSteps, 0.99), "F1")}");
        Add("messages delivered", Messages.ToString(CultureInfo.InvariantCulture));
        Add("wall time: simulation / all (s)", $"{F(simulated.TotalSeconds, "F2")} / {F(wall.TotalSeconds, "F2")}");
        console.Write(table);
        output.WriteLine($"run folder: {dir} (one folder per facility under {FacilityPlan.Folder}/)");
        output.WriteLine($"check it:   v2v verify {dir}");
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
