using System.Text.Json;

namespace V2V.Host.Tests.Verify;

/// <summary>
/// Writes complete.json as the run-folder contract has it ({"status":"complete","steps":S,"ledgerBytes":B}, the last
/// file of a finished run). Until `v2v run` writes it itself, tests of finished runs call this; once it does,
/// <see cref="MarkComplete"/> leaves the run's own marker alone, and this helper can go.
/// </summary>
internal static class RunFolderMarker
{
    /// <summary>Marks a finished run folder complete, unless it already is; steps from the ledger's run header.</summary>
    public static void MarkComplete(string dir)
    {
        if (!File.Exists(Path.Combine(dir, "complete.json")))
        {
            Write(dir, StepsOf(dir), new FileInfo(Path.Combine(dir, "ledger.jsonl")).Length);
        }
    }

    /// <summary>Writes the marker with the given values (tests of a marker that disagrees with its ledger).</summary>
    public static void Write(string dir, long steps, long ledgerBytes) =>
        File.WriteAllText(Path.Combine(dir, "complete.json"), $"{{\"status\":\"complete\",\"steps\":{steps},\"ledgerBytes\":{ledgerBytes}}}");

    private static long StepsOf(string dir)
    {
        using var header = JsonDocument.Parse(File.ReadLines(Path.Combine(dir, "ledger.jsonl")).First());
        return header.RootElement.GetProperty("steps").GetInt64();
    }
}
