using System.Globalization;
using System.Text;
using ScottPlot;
using V2V.Market.Configuration;

namespace V2V.Host.Study;

/// <summary>
/// The incentives part of an experiment that lists <c>experiment.misreport-markups</c>: <see cref="IncentiveProbe"/>
/// on every run of the reference variant (in parallel), summed per method, as a table (mean gain per deviation and
/// the share of deviations that gain, per markup) and a chart of the mean gain against the markup.
/// </summary>
internal static class IncentiveSection
{
    public const string ChartFile = "incentives-gain.png";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Render(
        StringBuilder w, string dir, StudyPlan plan, StudyExperiment e, IReadOnlyDictionary<StudyVariant, MarketConfig> markets, int parallelism)
    {
        var runs = plan.Runs().Where(r => r.Variant == e.Reference).ToArray();
        var results = new IncentiveProbe.Result[runs.Length];
        Parallel.For(0, runs.Length, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, i =>
            results[i] = IncentiveProbe.Run(StudyRunner.RunDir(dir, runs[i]), runs[i].Method.Mechanism, markets[e.Reference].Clearing, e.MisreportMarkups));
        var byMethod = plan.Methods.ToDictionary(m => m, m => runs.Select((r, i) => (r, i)).Where(p => p.r.Method == m).Select(p => results[p.i]).ToArray());

        w.AppendLine("### One agent misreports").AppendLine();
        int books = results.Sum(r => r.Books);
        int reproduced = results.Sum(r => r.BooksReproduced);
        w.AppendLine(Invariant, $"Every step's book of the {runs.Length} runs was cleared again with one agent at a time misreporting (buyers bid v (1 - m), sellers ask c (1 + m); m < 0 over-reports) while every other order stays as its policy sent it: {results.Sum(r => r.Deviations)} deviations per markup over {books} books. Check: the recorded books cleared again give the ledger's trades in {reproduced} of {books} books. The gain is the deviant's utility on true values minus its utility when reporting truthfully against the same orders, in that step only (later steps are not followed).").AppendLine();
        w.AppendLine("Each cell: the mean gain per deviation in AUD, the share of deviations that gain, then the mean gain of buyers and of sellers as deviants.").AppendLine();
        StudyMarkdown.Table(w, ["markup m", .. plan.Methods.Select(m => $"{m.Name}: all (share that gains); buyers / sellers")], e.MisreportMarkups.Select((markup, k) =>
            (string[])[StudyMarkdown.F(markup), .. plan.Methods.Select(m =>
            {
                var rs = byMethod[m];
                int n = rs.Sum(r => r.Deviations);
                int buyers = rs.Sum(r => r.BuyerDeviations);
                double buyerGain = rs.Sum(r => r.BuyerGainSumAud[k]);
                double sellerGain = rs.Sum(r => r.GainSumAud[k]) - buyerGain;
                return n == 0 ? "n/a" : $"{Aud(MeanGain(rs, k))} ({StudyMarkdown.Percent(rs.Sum(r => (double)r.Positive[k]) / n, sign: false)}); "
                    + $"{Aud(buyers == 0 ? double.NaN : buyerGain / buyers)} / {Aud(n == buyers ? double.NaN : sellerGain / (n - buyers))}";
            })]));

        var plot = new Plot();
        plot.Title($"{e.Name}: one agent's gain from misreporting");
        plot.XLabel("markup m of the deviant (buyer bids v(1-m), seller asks c(1+m))");
        plot.YLabel("mean gain per deviation, AUD");
        plot.ShowLegend(Alignment.UpperRight);
        plot.Add.HorizontalLine(0).LineColor = Colors.Gray;
        foreach (var m in plan.Methods)
        {
            var line = plot.Add.Scatter(e.MisreportMarkups.ToArray(), e.MisreportMarkups.Select((_, k) => MeanGain(byMethod[m], k)).ToArray());
            line.LegendText = m.Name;
            line.LineWidth = 2;
        }

        Directory.CreateDirectory(Path.Combine(dir, StudyCharts.Folder));
        plot.SavePng(Path.Combine(dir, StudyCharts.Folder, ChartFile), 800, 480);
        StudyMarkdown.Charts(w, [new StudyChart(e.Name, ChartFile, "Mean gain of the misreporting agent against its markup, per method (0 at m = 0 by construction); above 0 means misreporting pays.")]);
    }

    private static string Aud(double value) => double.IsFinite(value) ? value.ToString("0.00000", Invariant) : "n/a";

    private static double MeanGain(IReadOnlyList<IncentiveProbe.Result> results, int k)
    {
        int n = results.Sum(r => r.Deviations);
        return n == 0 ? double.NaN : results.Sum(r => r.GainSumAud[k]) / n;
    }
}
