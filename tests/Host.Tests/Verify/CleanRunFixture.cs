namespace V2V.Host.Tests.Verify;

/// <summary>
/// One real, clean run folder made by `v2v run` (10 EVs, one day of 16 steps, greedy clearing, seed 3) and marked
/// complete; each test corrupts its own copy.
/// </summary>
public sealed class CleanRunFixture : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("v2v-verify-").FullName;
    private int copies;

    public CleanRunFixture()
    {
        Dir = Path.Combine(root, "clean");
        var (code, _, error) = V2vCli.Run("run", "--agents", "10", "--days", "1", "--mechanism", "greedy-average", "--seed", "3", "--quiet", "--out", Dir);
        if (code != 0)
        {
            throw new InvalidOperationException($"the fixture's run failed: {error}");
        }

        Assert.True(File.Exists(Path.Combine(Dir, "complete.json")), "the run wrote no complete.json");
        Lines = File.ReadAllLines(Path.Combine(Dir, "ledger.jsonl"));
    }

    public string Dir { get; }

    /// <summary>The clean ledger's lines (line N is Lines[N - 1]).</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>A fresh copy of the clean folder.</summary>
    public string Copy()
    {
        var dir = Path.Combine(root, $"copy-{Interlocked.Increment(ref copies)}");
        Directory.CreateDirectory(dir);
        foreach (var file in Directory.GetFiles(Dir))
        {
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        }

        return dir;
    }

    /// <summary>A copy whose ledger is <paramref name="lines"/>, each ended by a newline, marked complete for the new size.</summary>
    public string CopyWithLedger(IEnumerable<string> lines)
    {
        var dir = Copy();
        WriteLedger(dir, lines);
        RunFolderMarker.Write(dir, 16, new FileInfo(Path.Combine(dir, "ledger.jsonl")).Length);
        return dir;
    }

    public static void WriteLedger(string dir, IEnumerable<string> lines) =>
        File.WriteAllText(Path.Combine(dir, "ledger.jsonl"), string.Concat(lines.Select(l => l + "\n")));

    /// <summary>The 1-based line of step <paramref name="step"/>'s close.</summary>
    public int CloseLineOf(int step) => IndexOf(l => l.StartsWith("{\"kind\":\"step\"", StringComparison.Ordinal) && l.EndsWith($"\"step\":{step}}}", StringComparison.Ordinal)) + 1;

    /// <summary>The 1-based line of the first line holding <paramref name="kind"/> at <paramref name="step"/>.</summary>
    public int FirstLineOf(string kind, int step) => IndexOf(l => l.StartsWith($"{{\"kind\":\"{kind}\"", StringComparison.Ordinal) && l.EndsWith($"\"step\":{step}}}", StringComparison.Ordinal)) + 1;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private int IndexOf(Func<string, bool> match)
    {
        for (var i = 0; i < Lines.Count; i++)
        {
            if (match(Lines[i]))
            {
                return i;
            }
        }

        throw new InvalidOperationException("no such line in the clean ledger");
    }
}
