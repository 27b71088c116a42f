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

    /// <summary>Parses one line; a malformed line is a <see cref="LedgerFormatException"/> naming the line.</summary>
    public static LedgerEntry Deserialize(string line, int lineNumber)
    {
        try
        {
            return JsonSerializer.Deserialize(line, LedgerJsonContext.Default.LedgerEntry)
                ?? throw new LedgerFormatException($"line {lineNumber}: empty entry");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new LedgerFormatException($"line {lineNumber}: {e.Message}");
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
