namespace V2V.Coordinator.Ledger;

/// <summary>Where the coordinator appends ledger entries; flushed at the end of every step.</summary>
public interface ILedgerSink
{
    void Append(LedgerEntry entry);

    /// <summary>Makes everything appended so far durable: a crash loses at most the open step.</summary>
    void Flush();

    /// <summary>
    /// Reads back everything appended so far, as stored (a coordinator that restarts resumes from it): each line
    /// parsed, with its corrupt and torn lines named, exactly as `verify` reads a ledger file.
    /// </summary>
    LedgerFile ReadBack();
}

/// <summary>A JSON-lines file, appended line by line and flushed to disk at each step's end.</summary>
public sealed class JsonLinesLedger : ILedgerSink, IDisposable
{
    private readonly StreamWriter writer;
    private readonly string path;

    public JsonLinesLedger(string path)
    {
        this.path = path;
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false)) { NewLine = "\n" };
    }

    public void Append(LedgerEntry entry) => writer.WriteLine(LedgerJson.Serialize(entry));

    public void Flush()
    {
        writer.Flush();
        ((FileStream)writer.BaseStream).Flush(flushToDisk: true);
    }

    /// <summary>Flushes what was appended to the file and reads the file itself, not what this object remembers.</summary>
    public LedgerFile ReadBack()
    {
        Flush();
        return LedgerFile.Read(path);
    }

    public void Dispose() => writer.Dispose();
}

/// <summary>An in-memory ledger, for tests and for runs that keep everything in memory.</summary>
public sealed class MemoryLedger : ILedgerSink
{
    public List<LedgerEntry> Entries { get; } = [];

    public void Append(LedgerEntry entry) => Entries.Add(entry);

    public void Flush()
    {
    }

    /// <summary>The entries as the file would hold them: each one written as its JSON line and parsed back.</summary>
    public LedgerFile ReadBack()
    {
        var lines = Entries.Select(LedgerJson.Serialize).ToList();
        return LedgerFile.Parse(lines, lastLineComplete: true, lines.Sum(l => (long)System.Text.Encoding.UTF8.GetByteCount(l) + 1));
    }
}
