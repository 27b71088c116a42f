namespace V2V.Coordinator.Ledger;

/// <summary>Where the coordinator appends ledger entries; flushed at the end of every step.</summary>
public interface ILedgerSink
{
    void Append(LedgerEntry entry);

    /// <summary>Makes everything appended so far durable: a crash loses at most the open step.</summary>
    void Flush();
}

/// <summary>A JSON-lines file, appended line by line and flushed to disk at each step's end.</summary>
public sealed class JsonLinesLedger : ILedgerSink, IDisposable
{
    private readonly StreamWriter writer;

    public JsonLinesLedger(string path)
    {
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false)) { NewLine = "\n" };
    }

    public void Append(LedgerEntry entry) => writer.WriteLine(LedgerJson.Serialize(entry));

    public void Flush()
    {
        writer.Flush();
        ((FileStream)writer.BaseStream).Flush(flushToDisk: true);
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
}
