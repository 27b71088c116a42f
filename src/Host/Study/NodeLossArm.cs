using System.Globalization;
using V2V.Host.Configuration;

namespace V2V.Host.Study;

/// <summary>
/// The node-loss arm of an experiment (<c>experiment.node-loss</c>): for each K in <paramref name="Nodes"/> one variant
/// in which virtual node <paramref name="Node"/> of K is lost at the start of step <paramref name="AtStep"/> with every
/// EV parked on it (the scheduled loss of <c>v2v.simulation.faults.node-loss</c>, reproducible in one process), so
/// 1/K of the fleet goes at once. Each is paired with the reference variant on the same method, N and seed
/// (<see cref="NodeLossSection"/>).
/// </summary>
internal sealed record NodeLossArm(int AtStep, int Node, IReadOnlyList<int> Nodes)
{
    public const string Key = "node-loss";

    private const string Faults = "v2v.simulation.faults.node-loss";

    /// <summary>Reads <c>experiment.node-loss</c> for runs of <paramref name="totalSteps"/> steps; every error names its key.</summary>
    public static NodeLossArm Bind(Config experiment, int totalSteps)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var c = experiment.GetConfig(Key);
        int at = c.GetInt("at-step");
        if (at < 1 || at >= totalSteps)
        {
            throw c.Error("at-step", $"expected a step in [1, {totalSteps - 1}] (the runs have {totalSteps} steps), got {at}");
        }

        int node = c.GetIntAtLeast("node", 0);
        var nodes = c.GetIntList("nodes");
        if (nodes.Count == 0 || nodes.Distinct().Count() != nodes.Count)
        {
            throw c.Error("nodes", "expected a non-empty list of distinct node counts K");
        }

        if (nodes.FirstOrDefault(k => k < 2 || k <= node) is var bad && nodes.Any(k => k < 2 || k <= node))
        {
            throw c.Error("nodes", $"every K must be at least 2 and above node ({node}), got {bad}");
        }

        return new NodeLossArm(at, node, nodes);
    }

    /// <summary>One variant per K, named node-loss-1ofK, at x = 1/K (the share of the nodes lost).</summary>
    public IEnumerable<StudyVariant> Variants() => Nodes.Select(k => new StudyVariant(
        string.Create(CultureInfo.InvariantCulture, $"node-loss-1of{k}"),
        [
            string.Create(CultureInfo.InvariantCulture, $"{Faults}.at-step={AtStep}"),
            string.Create(CultureInfo.InvariantCulture, $"{Faults}.nodes={k}"),
            string.Create(CultureInfo.InvariantCulture, $"{Faults}.node={Node}"),
        ],
        1.0 / k,
        Key));
}
