using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace V2V.Coordinator.Ledger;

/// <summary>A ledger entry and the 1-based line of ledger.jsonl it was read from.</summary>
public sealed record NumberedEntry(int Line, LedgerEntry Entry);

/// <summary>
/// A ledger.jsonl as `verify` reads it: every line that is a well-formed entry, with its line number; every line
/// that is not (a corruption, named by line and problem in plain words); and a torn tail. The writer ends every
/// entry with a newline and flushes at each step's end, so a run killed mid-write leaves at most one last line without
/// its newline: that line is the torn end of an incomplete ledger, not a corruption. A bad line anywhere else is.
/// </summary>
public sealed class LedgerFile
{
    private LedgerFile(IReadOnlyList<NumberedEntry> entries, IReadOnlyList<string> corrupt, int? tornLine, long bytes)
    {
        Entries = entries;
        Corrupt = corrupt;
        TornLine = tornLine;
        Bytes = bytes;
    }

    public IReadOnlyList<NumberedEntry> Entries { get; }

    /// <summary>"line N: problem" for each line that is not a ledger entry (the torn last line excluded).</summary>
    public IReadOnlyList<string> Corrupt { get; }

    /// <summary>The last line, when it lacks its newline (the write was cut off); it is not among the entries.</summary>
    public int? TornLine { get; }

    /// <summary>The file's size in bytes, which complete.json records.</summary>
    public long Bytes { get; }

    /// <summary>The number of lines read, the torn one included.</summary>
    public int Lines { get; private init; }

    /// <summary>Reads a ledger file line by line; I/O errors (missing file, no permission) are the caller's to report.</summary>
    public static LedgerFile Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = stream.Length;
        var endsWithNewline = bytes == 0 || EndsWithNewline(stream);
        stream.Position = 0;
        using var reader = new StreamReader(stream, new UTF8Encoding(false));
        return Parse(ReadLines(reader), endsWithNewline, bytes);
    }

    /// <summary>Parses lines already split; <paramref name="lastLineComplete"/> says whether the last one had its newline.</summary>
    public static LedgerFile Parse(IEnumerable<string> lines, bool lastLineComplete, long bytes)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var entries = new List<NumberedEntry>();
        var corrupt = new List<string>();
        var n = 0;
        string? pending = null;

        // One line behind, so the last line is known as the last when it is reached.
        foreach (var line in lines)
        {
            if (pending is not null)
            {
                Add(pending, n, entries, corrupt);
            }

            (pending, n) = (line, n + 1);
        }

        int? torn = null;
        if (pending is not null)
        {
            if (lastLineComplete)
            {
                Add(pending, n, entries, corrupt);
            }
            else
            {
                torn = n;
            }
        }

        return new LedgerFile(entries, corrupt, torn, bytes) { Lines = n };
    }

    /// <summary>
    /// One line as an entry, or the reason it is not one in plain words: not JSON (where, or that it ends early), not
    /// an object, no or an unknown kind, a field missing or of the wrong type. Unknown extra fields are allowed.
    /// </summary>
    public static bool TryParse(string line, out LedgerEntry entry, out string problem)
    {
        entry = null!;
        if (line.Length == 0)
        {
            problem = "empty line";
            return false;
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            problem = JsonProblem.Describe(e, line, multiline: false);
            return false;
        }

        using (doc)
        {
            var root = doc.RootElement;
            problem = CheckShape(root, out var kind) ?? "";
            if (problem.Length > 0)
            {
                return false;
            }

            try
            {
                entry = root.Deserialize(LedgerJsonContext.Default.LedgerEntry)!;
                return true;
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
            {
                problem = root.EnumerateObject().First().Name == "kind"
                    ? $"not a valid {kind} entry"
                    : "\"kind\" is not the first field";
                return false;
            }
        }
    }

    private static string? CheckShape(JsonElement root, out string kind)
    {
        kind = "";
        if (root.ValueKind != JsonValueKind.Object)
        {
            return $"{JsonProblem.KindName(root.ValueKind)}, not an entry object";
        }

        if (!root.TryGetProperty("kind", out var k) || k.ValueKind != JsonValueKind.String)
        {
            return "no \"kind\" field";
        }

        kind = k.GetString()!;
        if (!Schema.Fields.TryGetValue(kind, out var fields))
        {
            return $"unknown kind \"{kind}\"";
        }

        foreach (var f in fields)
        {
            if (!root.TryGetProperty(f.Name, out var value))
            {
                if (!f.Optional)
                {
                    return $"{kind} entry without \"{f.Name}\"";
                }
            }
            else if (!f.Accepts(value))
            {
                return $"{kind} entry: \"{f.Name}\" is {JsonProblem.KindName(value.ValueKind)} {value.GetRawText()}, expected {f.Expected}";
            }
        }

        return null;
    }

    private static void Add(string line, int number, List<NumberedEntry> entries, List<string> corrupt)
    {
        if (TryParse(line, out var entry, out var problem))
        {
            entries.Add(new NumberedEntry(number, entry));
        }
        else
        {
            corrupt.Add($"line {number}: {problem}");
        }
    }

    private static IEnumerable<string> ReadLines(StreamReader reader)
    {
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }

    private static bool EndsWithNewline(FileStream stream)
    {
        stream.Position = stream.Length - 1;
        return stream.ReadByte() == '\n';
    }

    /// <summary>
    /// The fields of each entry kind, read once from the <see cref="LedgerEntry"/> records themselves (their
    /// constructor parameters, camel-cased as the writer names them), so the check follows the format as it changes.
    /// A parameter with a default value is optional, so a field added later with a default still reads old ledgers.
    /// </summary>
    private static class Schema
    {
        public static readonly Dictionary<string, Field[]> Fields = Build();

        private static Dictionary<string, Field[]> Build()
        {
            var kinds = new Dictionary<string, Field[]>(StringComparer.Ordinal);
            foreach (var derived in typeof(LedgerEntry).GetCustomAttributes<JsonDerivedTypeAttribute>())
            {
                var ctor = derived.DerivedType.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
                kinds[(string)derived.TypeDiscriminator!] = [.. ctor.GetParameters().Select(Field.Of)];
            }

            return kinds;
        }
    }

    private sealed record Field(string Name, Type Type, bool Nullable, bool Optional)
    {
        public string Expected => (Nullable ? "null or " : "") + (Type == typeof(string) ? "a string"
            : Type == typeof(bool) ? "true or false"
            : Type == typeof(double) ? "a number"
            : "a whole number");

        public static Field Of(ParameterInfo p)
        {
            var underlying = System.Nullable.GetUnderlyingType(p.ParameterType);
            return new Field(JsonNamingPolicy.CamelCase.ConvertName(p.Name!), underlying ?? p.ParameterType, underlying is not null, p.HasDefaultValue);
        }

        public bool Accepts(JsonElement v) => v.ValueKind switch
        {
            JsonValueKind.Null => Nullable,
            JsonValueKind.String => Type == typeof(string),
            JsonValueKind.True or JsonValueKind.False => Type == typeof(bool),
            JsonValueKind.Number => Type == typeof(double) || (Type == typeof(int) && v.TryGetInt32(out _)) || (Type == typeof(long) && v.TryGetInt64(out _)),
            _ => false,
        };
    }
}
