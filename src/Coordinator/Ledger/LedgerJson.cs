using System.Text.Json;
using System.Text.Json.Serialization;

namespace V2V.Coordinator.Ledger;

/// <summary>Source-generated serialisation of ledger lines: fast, trimming-safe, and the same bytes every run.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(LedgerEntry))]
internal sealed partial class LedgerJsonContext : JsonSerializerContext;

/// <summary>Writes and reads single ledger lines.</summary>
public static class LedgerJson
{
    public static string Serialize(LedgerEntry entry) =>
        JsonSerializer.Serialize(entry, LedgerJsonContext.Default.LedgerEntry);

    /// <summary>
    /// Parses one line; a malformed line is a <see cref="LedgerFormatException"/> naming the line and, in the plain words
    /// of <see cref="LedgerFile.TryParse"/> (which `v2v verify` reports), what is wrong with it. The fast path
    /// deserialises directly; the slower checked parse runs only to describe a line that failed.
    /// </summary>
    public static LedgerEntry Deserialize(string line, int lineNumber)
    {
        try
        {
            return JsonSerializer.Deserialize(line, LedgerJsonContext.Default.LedgerEntry)
                ?? throw new LedgerFormatException($"line {lineNumber}: empty entry");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            var problem = LedgerFile.TryParse(line, out _, out var described) ? e.Message : described;
            throw new LedgerFormatException($"line {lineNumber}: {problem}");
        }
    }

    public static IEnumerable<LedgerEntry> ReadFile(string path)
    {
        var n = 0;
        foreach (var line in File.ReadLines(path))
        {
            n++;
            if (line.Length > 0)
            {
                yield return Deserialize(line, n);
            }
        }
    }
}

public sealed class LedgerFormatException(string message) : Exception(message);
