using System.Text.Json;
using V2V.Coordinator.Ledger;

namespace V2V.Host.Verify;

/// <summary>
/// Reads the small JSON files of a run folder (summary.json, complete.json, incomplete.json) for `verify`: an absent
/// file is null, an unreadable, empty, truncated or non-object one is a one-line finding naming the file and the problem.
/// </summary>
internal static class RunFileJson
{
    /// <summary>The file's root object (cloned, so no document stays open), or null when absent or unreadable.</summary>
    public static JsonElement? ReadObject(string dir, string name, Findings findings)
    {
        var path = Path.Combine(dir, name);
        if (!File.Exists(path))
        {
            return null;
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            findings.Unreadable($"{name}: cannot be read ({RunFolderFiles.Why(e)})");
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                findings.Unreadable($"{name}: {JsonProblem.KindName(doc.RootElement.ValueKind)}, expected an object");
                return null;
            }

            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            findings.Unreadable($"{name}: {JsonProblem.Describe(e, text, multiline: true)}");
            return null;
        }
    }

    /// <summary>A whole-number field, or null with a finding naming the file, the field and what it holds.</summary>
    public static long? Integer(JsonElement root, string file, string field, Findings findings)
    {
        if (root.TryGetProperty(field, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var n))
        {
            return n;
        }

        findings.Violation($"{file}: \"{field}\" is {Shown(root, field)}, expected a whole number");
        return null;
    }

    /// <summary>A string field, or null with a finding.</summary>
    public static string? Text(JsonElement root, string file, string field, Findings findings)
    {
        if (root.TryGetProperty(field, out var p) && p.ValueKind == JsonValueKind.String)
        {
            return p.GetString();
        }

        findings.Violation($"{file}: \"{field}\" is {Shown(root, field)}, expected a string");
        return null;
    }

    /// <summary>What a field holds, for a message: "missing", or its kind and JSON text.</summary>
    public static string Shown(JsonElement root, string field) =>
        root.TryGetProperty(field, out var p) ? $"{JsonProblem.KindName(p.ValueKind)} {Clip(p.GetRawText())}" : "missing";

    private static string Clip(string raw) => raw.Length <= 40 ? raw : raw[..37] + "...";
}
