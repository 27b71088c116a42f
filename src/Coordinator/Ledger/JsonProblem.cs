using System.Text;
using System.Text.Json;

namespace V2V.Coordinator.Ledger;

/// <summary>
/// Says what is wrong with a JSON text in a user's words (where, or that it ends early), never in the parser's:
/// `verify` reports damaged run files with these, one line each.
/// </summary>
public static class JsonProblem
{
    /// <summary>
    /// "not valid JSON at line 3, column 7", or "... at line 3 (the file ends early)" when the parser ran out of
    /// text; <paramref name="multiline"/> false leaves out the line (a ledger line is one line of its own).
    /// </summary>
    public static string Describe(JsonException e, string text, bool multiline)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            return "empty";
        }

        var line = e.LineNumber ?? 0;
        var column = e.BytePositionInLine ?? 0;
        var lastBreak = text.LastIndexOf('\n');
        long endLine = text.Count(c => c == '\n');
        long endColumn = Encoding.UTF8.GetByteCount(text.AsSpan(lastBreak + 1));
        var endsEarly = line > endLine || (line == endLine && column >= endColumn);
        var where = multiline ? $" at line {line + 1}" : "";
        var what = multiline ? "the file" : "the line";
        return endsEarly
            ? $"not valid JSON{where} ({what} ends early)"
            : $"not valid JSON{where}{(multiline ? "," : " at")} column {column + 1}";
    }

    /// <summary>A JSON value's kind as a noun: "an array", "a string", "null".</summary>
    public static string KindName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
