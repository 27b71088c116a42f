using System.Globalization;
using Spectre.Console;
using V2V.Learning;
using V2V.Market.Configuration;
using V2V.Market.Network;
using V2V.Simulation;

namespace V2V.Host.Run;

/// <summary>The table `v2v run` prints at the end: SPEC 8 metrics, asynchrony and faults, and where the files are.</summary>
public static class SummaryTable
{
    public static void Write(TextWriter output, MarketConfig market, RunSummary s, SimulationResult result, string dir, TimeSpan wall, PolicyModel? model = null, WallClock? clock = null)
    {
        var console = ConsoleFor(output);
        var m = s.Market;
        var table = new Table().Title($"{market.Clearing.Mechanism}, {market.Policy.Kind}, N={market.Population.Agents}, {market.Time.Days} days, seed {market.Seed}")
            .AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("social welfare (AUD)", F(m.SocialWelfareAud, "F2"));
        Row("volume (kWh)", F(m.VolumeKwh, "F1"));
        Row("match rate", F(m.MatchRate, "F3"));
        Row("Jain index", F(m.JainIndex, "F3"));
        Row("Gini index", F(m.GiniIndex, "F3"));
        Row("price mean +- std (AUD/kWh)", $"{F(m.PriceMeanAudPerKwh, "F4")} +- {F(m.PriceStdAudPerKwh, "F4")}");
        Row("trades committed / voided", $"{s.Committed} / {s.Voided}");
        Row("late orders", $"{s.LateOrders} ({F(100 * s.LateOrderRate, "F2")} %)");
        Row("order arrival p50 / p99 (ms after open)", $"{F(s.ArrivalTimes.P50Ms, "F0")} / {F(s.ArrivalTimes.P99Ms, "F0")}");
        if (s.Slow.Agents > 0)
        {
            Row("match rate fast / slow agents", $"{F(s.Fast.MatchRate, "F3")} / {F(s.Slow.MatchRate, "F3")}");
            Row("mean utility fast / slow (AUD)", $"{F(s.Fast.MeanUtilityAud, "F3")} / {F(s.Slow.MeanUtilityAud, "F3")}");
        }

        var faults = s.Faults.Count == 0 ? "none" : string.Join(", ", s.Faults.Select(f => $"{f.Key} {f.Value}"));
        Row("agent faults", faults);
        Row("messages dropped / duplicated / delayed", $"{result.MessagesDropped} / {result.MessagesDuplicated} / {result.MessagesDelayed}");
        Row("messages delivered", result.MessagesDelivered.ToString(CultureInfo.InvariantCulture));
        Row("wall time (s)", F(wall.TotalSeconds, "F2"));
        console.Write(table);
        if (model is not null)
        {
            output.WriteLine($"model:      {model.File} (sha256 {model.Sha256[..16]}..., policy version {result.PolicyVersion})");
        }

        WriteClock(output, clock);
        output.WriteLine($"run folder: {dir}");
        output.WriteLine($"check it:   v2v verify {dir}");
    }

    /// <summary>A wall-clock run says so: its late orders depend on this machine and its load.</summary>
    internal static void WriteClock(TextWriter output, WallClock? clock)
    {
        if (clock is not null)
        {
            output.WriteLine($"clock:      wall, {clock.StepWallMs} ms per step (not reproducible: what is late depends on this machine)");
        }
    }

    /// <summary>Colours only on a terminal; a file or pipe gets plain text at a width that keeps every row on one line.</summary>
    internal static IAnsiConsole ConsoleFor(TextWriter output)
    {
        var terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal)
        {
            console.Profile.Width = 120;
        }

        return console;
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
