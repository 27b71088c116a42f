using System.Globalization;
using System.Text;
using ScottPlot;
using V2V.Coordinator.Ledger;

namespace V2V.Host.Study;

/// <summary>
/// The node-loss arm's part of an experiment's report (<see cref="NodeLossArm"/>): per K and method, the EVs lost with
/// the node (counted in each run's ledger), and the paired changes against the reference variant on the same method,
/// N and seed of SW per agent, voided trades and Jain's index (medians over the cells); and a chart of the SW change
/// against the share of nodes lost, 1/K.
/// </summary>
internal static class NodeLossSection
{
    public const string ChartSuffix = "-node-loss.png";

    private const string Sw = "social_welfare_per_agent_aud";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Render(StringBuilder w, string dir, StudyPlan plan, StudyExperiment e, NodeLossArm arm, IReadOnlyList<RunRow> rows)
    {
        var index = rows.ToDictionary(r => r.Run);
        var variants = e.Variants.Where(v => v.Arm == NodeLossArm.Key).ToArray();
        w.AppendLine("### Node loss: one of K nodes, with its EVs").AppendLine();
        w.AppendLine(Invariant, $"At the start of step {arm.AtStep}, virtual node {arm.Node} of K is lost with every EV parked on it (an EV's node is its shard modulo K: `v2v.simulation.faults.node-loss`). Those EVs get the verdict \"lost with node\" in the ledger, and EVs arriving later park on the surviving nodes. Each K is paired with **{e.Reference.Name}** on the same method, N and seed; each cell gives the median EVs lost, then the median paired change of SW per agent (relative), of voided trades and of Jain's index.").AppendLine();
        StudyMarkdown.Table(w, ["nodes K (share lost)", .. plan.Methods.Select(m => $"{m.Name}: EVs lost; SW/agent; voided; Jain")], variants.Select(v =>
            (string[])[$"{arm.Nodes[Array.IndexOf(variants, v)]} ({StudyMarkdown.F(v.X ?? double.NaN)})", .. plan.Methods.Select(m =>
                $"{StudyMarkdown.F(MedianLost(dir, plan, v, m))}; "
                + $"{StudyMarkdown.Percent(ExperimentMarkdown.PairedChange(index, plan, e.Reference, v, m, Sw))}; "
                + $"{StudyMarkdown.F(ExperimentMarkdown.Paired(index, plan, e.Reference, v, m, "trades_voided", (x, r) => x - r))}; "
                + $"{StudyMarkdown.F(ExperimentMarkdown.Paired(index, plan, e.Reference, v, m, "jain", (x, r) => x - r))}")]));

        var plot = new Plot();
        plot.Title($"{e.Name}: SW per agent after losing one of K nodes");
        plot.XLabel("share of the nodes lost, 1/K");
        plot.YLabel("paired change of SW per agent");
        plot.ShowLegend(Alignment.LowerLeft);
        plot.Add.HorizontalLine(0).LineColor = Colors.Gray;
        foreach (var m in plan.Methods)
        {
            var points = variants.Select(v => (X: v.X ?? double.NaN, Y: ExperimentMarkdown.PairedChange(index, plan, e.Reference, v, m, Sw)))
                .Prepend((X: 0.0, Y: 0.0)).OrderBy(p => p.X).ToArray();
            var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
            line.LegendText = m.Name;
            line.LineWidth = 2;
        }

        Directory.CreateDirectory(Path.Combine(dir, StudyCharts.Folder));
        plot.SavePng(Path.Combine(dir, StudyCharts.Folder, e.Name + ChartSuffix), 800, 480);
        StudyMarkdown.Charts(w, [new StudyChart(e.Name, e.Name + ChartSuffix, $"Paired relative change of SW per agent against the share of nodes lost at step {arm.AtStep} (0 is {e.Reference.Name}), per method: the median over N and seeds.")]);
    }

    /// <summary>The EVs a run's ledger records as lost with their node.</summary>
    public static int LostWithNode(string runDir) =>
        LedgerJson.ReadFile(Path.Combine(runDir, V2V.Host.Run.RunFolder.Ledger)).OfType<AgentDeparted>().Count(d => d.Reason == "lost with node");

    private static double MedianLost(string dir, StudyPlan plan, StudyVariant v, StudyMethod m) =>
        StudyStatistics.Median([.. from n in plan.Agents from s in plan.Seeds select (double)LostWithNode(StudyRunner.RunDir(dir, new StudyRun(m, n, s, v)))]);
}
