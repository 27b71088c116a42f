namespace V2V.Host.Verify;

/// <summary>
/// The files of a run folder as `verify` knows them (docs: run-folder format). config.json is written first, when the
/// folder is made; the last file a successful run writes is complete.json, a failed or interrupted one writes
/// incomplete.json instead. A folder with neither is incomplete (a run killed outright, or written before markers).
/// </summary>
internal static class RunFolderFiles
{
    public const string Ledger = "ledger.jsonl";
    public const string Config = "config.json";
    public const string Summary = "summary.json";
    public const string Agents = "agents.csv";
    public const string Complete = "complete.json";
    public const string Incomplete = "incomplete.json";

    /// <summary>An I/O failure in a few words, without the framework's exception text where it is noisy.</summary>
    public static string Why(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        FileNotFoundException or DirectoryNotFoundException => "not found",
        _ => e.Message.ReplaceLineEndings(" ").Trim(),
    };
}
