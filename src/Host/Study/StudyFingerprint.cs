using System.Text.Json.Nodes;
using V2V.Host.Configuration;

namespace V2V.Host.Study;

/// <summary>
/// What must stay equal for a study folder's results to be reused: the resolved configuration as JSON with the keys
/// that only widen or narrow the grid taken out, and an experiment's presentation (its wording, charts and analysis).
/// A study may add methods, N values or seeds to a folder, or reword its report, and keep every run it has; any other
/// change (a market value, the days, the training, a variant's overrides) needs a fresh folder.
/// A model's fingerprint also leaves out the whole of <c>v2v.evaluation</c>, <c>v2v.methods</c> and an experiment's
/// block: training reads none of them (the method's reward picks the training, <see cref="StudyMethod.Training"/>).
/// </summary>
internal static class StudyFingerprint
{
    // What an experiment block may change without touching a run: its wording, its charts and its analysis.
    private static readonly string[] ExperimentPresentation =
        ["name", "title", "question", "x-label", "x-metric", "x-log", "metrics", "note", "misreport-markups", "arrival-order-bins"];

    public static string OfStudy(Config config) =>
        Without(
            config.ToJson(),
            [
                ["v2v", "evaluation", "methods"], ["v2v", "evaluation", "agents"], ["v2v", "evaluation", "seeds"],
                .. ExperimentPresentation.Select(key => (string[])[StudyExperiment.Root, key]),
            ]);

    public static string OfModel(Config config) => OfModelJson(config.ToJson());

    /// <summary>The fingerprint of a model folder's config.json (what `v2v train` wrote).</summary>
    public static string OfModelJson(string configJson) =>
        Without(configJson, [["v2v", "evaluation"], ["v2v", "methods"], [StudyExperiment.Root]]);

    private static string Without(string json, IReadOnlyList<string[]> paths)
    {
        var root = JsonNode.Parse(json) ?? throw new InvalidOperationException("the configuration's JSON is null");
        foreach (var path in paths)
        {
            JsonNode? parent = root;
            for (int i = 0; i < path.Length - 1 && parent is not null; i++)
            {
                parent = parent[path[i]];
            }

            if (parent is JsonObject obj)
            {
                obj.Remove(path[^1]);
            }
        }

        return root.ToJsonString();
    }
}
