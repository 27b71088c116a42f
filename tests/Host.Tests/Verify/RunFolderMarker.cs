namespace V2V.Host.Tests.Verify;

/// <summary>
/// Writes complete.json as the run-folder contract has it ({"status":"complete","steps":S,"ledgerBytes":B}, the last
/// file of a finished run), for tests whose ledger was edited after the run and so needs a marker that fits it, or
/// deliberately does not.
/// </summary>
internal static class RunFolderMarker
{
    /// <summary>Writes the marker with the given values (tests of a marker that disagrees with its ledger).</summary>
    public static void Write(string dir, long steps, long ledgerBytes) =>
        File.WriteAllText(Path.Combine(dir, "complete.json"), $"{{\"status\":\"complete\",\"steps\":{steps},\"ledgerBytes\":{ledgerBytes}}}");
}
