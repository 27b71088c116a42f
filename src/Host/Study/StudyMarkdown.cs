using System.Globalization;
using System.Text;

namespace V2V.Host.Study;

/// <summary>
/// report.md: the grid, the medians (IQR) per method, the relative changes against the baseline, the two CVs of
/// SPEC 9 and the study's published figures beside ours. CV of SW per agent across N: for each N the median over
/// seeds of SW / N, then the CV (sample standard deviation over mean) of those values over N. CV across seeds: the
/// CV of SW over the seeds at one N.
/// </summary>
internal static class StudyMarkdown
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(StudyPlan plan, IReadOnlyList<RunRow> rows, IReadOnlyList<StudyReport.SummaryRow> summary)
    {
        var w = new StringBuilder();
        w.AppendLine("# Study report").AppendLine();
        w.AppendLine(Invariant, $"{rows.Count} runs, each verified: methods {string.Join(", ", plan.Methods.Select(Describe))}; ");
        w.AppendLine(Invariant, $"N = {string.Join(", ", plan.Agents)}; seeds {string.Join(", ", plan.Seeds)}; {plan.Days} {(plan.Days == 1 ? "day" : "days")} per run; baseline {plan.Baseline}.");
        w.AppendLine("Per-run values are in runs.csv, the aggregates in summary.csv. The supply/demand ratio is the sellers' spare kWh over the buyers' needed kWh, each EV counted once at arrival.").AppendLine();

        var metrics = summary.Select(s => s.Metric).Distinct().ToArray();
        w.AppendLine("## Median (IQR) over each method's runs").AppendLine();
        Table(w, ["metric", .. plan.Methods.Select(m => m.Name)], metrics.Select(metric =>
            (string[])[metric, .. plan.Methods.Select(m => Find(summary, m.Name, metric) is { } s ? $"{F(s.Median)} ({F(s.Iqr)})" : "")]));

        w.AppendLine(Invariant, $"## Relative change of the median against {plan.Baseline}").AppendLine();
        Table(w, ["metric", .. plan.Methods.Select(m => m.Name)], metrics.Select(metric =>
            (string[])[metric, .. plan.Methods.Select(m => Percent(Find(summary, m.Name, metric)?.RelativeChange))]));

        w.AppendLine("## Coefficient of variation of SW").AppendLine();
        w.AppendLine("Across N: of the SW per agent (the median over seeds of SW / N at each N). Across seeds: of the SW at each N.").AppendLine();
        Table(w, ["method", "CV of SW per agent across N", .. plan.Agents.Select(n => $"CV across seeds, N = {n}")], plan.Methods.Select(m =>
            (string[])[m.Name, Percent(CvAcrossN(rows, plan, m.Name), sign: false), .. plan.Agents.Select(n => Percent(CvAcrossSeeds(rows, m.Name, n), sign: false))]));

        Published(w, plan, rows, summary);
        return w.ToString();
    }

    /// <summary>The CV over N of the per-agent SW (median over seeds at each N).</summary>
    public static double CvAcrossN(IReadOnlyList<RunRow> rows, StudyPlan plan, string method) =>
        StudyStatistics.CoefficientOfVariation(plan.Agents.Select(n => StudyStatistics.Median(
            rows.Where(r => r.Run.Method.Name == method && r.Run.Agents == n).Select(r => r.SocialWelfarePerAgentAud).ToArray())).ToArray());

    public static double CvAcrossSeeds(IReadOnlyList<RunRow> rows, string method, int agents) =>
        StudyStatistics.CoefficientOfVariation(
            rows.Where(r => r.Run.Method.Name == method && r.Run.Agents == agents).Select(r => r.SocialWelfareAud).ToArray());

    private static void Published(StringBuilder w, StudyPlan plan, IReadOnlyList<RunRow> rows, IReadOnlyList<StudyReport.SummaryRow> summary)
    {
        const string M = PublishedFigures.Method;
        const string B = PublishedFigures.Baseline;
        w.AppendLine("## The study's published figures beside ours").AppendLine();
        w.AppendLine("The left column is **the study's** (Lin, Yang, Wang, arXiv 2605.22363: Nash-MADDPG against Double Auction), ");
        w.AppendLine(Invariant, $"typed from its summary; the right column is **ours**, measured here: method {M} against method {B}.");
        bool ran = plan.Methods.Any(m => m.Name == M) && plan.Methods.Any(m => m.Name == B);
        if (!ran)
        {
            w.AppendLine(Invariant, $"This study did not run both {M} and {B}, so ours is left empty.");
        }

        w.AppendLine(Invariant, $"Our CV across N is of SW per agent (raw SW grows with N). Pairings: {string.Join("; ", plan.Methods.Where(m => m.Name is M or B).Select(Describe))}.").AppendLine();
        string Change(string metric) => ran ? Percent(Find(summary, M, metric)?.RelativeChange) : "";
        string Median(string method, string metric) => ran ? F(Find(summary, method, metric)?.Median) : "";
        Table(w, ["figure", "the study's (published)", "ours (this study)"],
        [
            ["SW change", Pct(PublishedFigures.SocialWelfareChangePercent), Change("social_welfare_aud")],
            ["volume change", Pct(PublishedFigures.VolumeChangePercent), Change("volume_kwh")],
            ["Jain change", Pct(PublishedFigures.JainChangePercent), Change("jain")],
            ["match rate, method vs baseline", $"{F(PublishedFigures.MatchRateMethod)} vs {F(PublishedFigures.MatchRateBaseline)}",
                ran ? $"{Median(M, "match_rate")} vs {Median(B, "match_rate")}" : ""],
            ["CV of SW across N, method vs baseline",
                $"{Pct(PublishedFigures.CvOfSocialWelfareAcrossNMethodPercent, sign: false)} vs {Pct(PublishedFigures.CvOfSocialWelfareAcrossNBaselinePercent, sign: false)}",
                ran ? $"{Percent(CvAcrossN(rows, plan, M), sign: false)} vs {Percent(CvAcrossN(rows, plan, B), sign: false)} (per agent)" : ""],
            ["clearing price of the method (AUD/kWh), mean +- std",
                $"{F(PublishedFigures.ClearingPriceMeanAudPerKwh)} +- {F(PublishedFigures.ClearingPriceStdAudPerKwh)}",
                ran ? $"{Median(M, "price_mean_aud_per_kwh")} +- {Median(M, "price_std_aud_per_kwh")} (medians over runs)" : ""],
        ]);
    }

    /// <summary>The charts of one section, each as an image under charts/ with its caption.</summary>
    public static void Charts(StringBuilder w, IReadOnlyList<StudyChart> charts)
    {
        foreach (var chart in charts)
        {
            w.AppendLine(Invariant, $"![{Path.GetFileNameWithoutExtension(chart.FileName)}]({StudyCharts.Folder}/{chart.FileName})").AppendLine();
            w.AppendLine(Invariant, $"*{chart.Caption}*").AppendLine();
        }
    }

    private static string Describe(StudyMethod m) =>
        $"{m.Name} ({m.Policy} bidding, {m.Mechanism} clearing{(m.Training is null ? "" : $", trained as {m.Training.Name}")})";

    private static StudyReport.SummaryRow? Find(IReadOnlyList<StudyReport.SummaryRow> summary, string method, string metric) =>
        summary.FirstOrDefault(s => s.Method == method && s.Metric == metric);

    internal static void Table(StringBuilder w, IReadOnlyList<string> header, IEnumerable<string[]> rows)
    {
        w.Append("| ").AppendJoin(" | ", header).AppendLine(" |");
        w.Append('|').AppendJoin('|', header.Select(_ => " --- ")).AppendLine("|");
        foreach (var row in rows)
        {
            w.Append("| ").AppendJoin(" | ", row).AppendLine(" |");
        }

        w.AppendLine();
    }

    internal static string F(double? value) => value switch
    {
        null or double.NaN => "n/a",
        double.PositiveInfinity => "inf",
        double v => v.ToString("0.####", Invariant),
    };

    internal static string Percent(double? fraction, bool sign = true) =>
        fraction is { } f && double.IsFinite(f) ? Pct(f * 100, sign) : "n/a";

    private static string Pct(double percent, bool sign = true) =>
        percent.ToString(sign ? "+0.0;-0.0;0.0" : "0.0", Invariant) + " %";
}
