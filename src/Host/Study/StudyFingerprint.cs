using System.Text.Json.Nodes;
using V2V.Host.Configuration;

namespace V2V.Host.Study;

/// <summary>
/// What must stay equal for a study folder's results to be reused: the resolved configuration as JSON with the keys
/// that only widen or narrow the grid taken out. A study may add methods, N values or seeds to a folder and keep
/// every run it has; any other change (a market value, the days, the training) needs a fresh folder.
/// A model's fingerprint also leaves out the whole of <c>v2v.evaluation</c> and <c>v2v.methods</c>: training reads
/// neither (the method's reward picks the training, <see cref="StudyMethod.Training"/>).
/// </summary>
internal static class StudyFingerprint
{
    public static string OfStudy(Config config) =>
        Without(config.ToJson(), ["evaluation", "methods"], ["evaluation", "agents"], ["evaluation", "seeds"]);

    public static string OfModel(Config config) => OfModelJson(config.ToJson());

    /// <summary>The fingerprint of a model folder's config.json (what `v2v train` wrote).</summary>
    public static string OfModelJson(string configJson) => Without(configJson, ["evaluation"], ["methods"]);

    private static string Without(string json, params string[][] paths)
    {
        var root = JsonNode.Parse(json) ?? throw new InvalidOperationException("the configuration's JSON is null");
        foreach (var path in paths)
        {
            JsonNode? parent = root["v2v"];
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
