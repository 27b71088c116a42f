using System.Globalization;

namespace V2V.Host.Verify;

/// <summary>
/// What `verify` found in one run folder, one line each: violations (exit 1) and files that cannot be read
/// (exit 2). Lines that name a ledger line ("line N: ...") are listed in ledger order, first problem first.
/// </summary>
internal sealed class Findings
{
    private readonly List<(int Order, string Text)> lines = [];

    /// <summary>0 nothing found, 1 a violation, 2 a file that cannot be read.</summary>
    public int Code { get; private set; }

    public int Count => lines.Count;

    public IEnumerable<string> Lines => lines.OrderBy(l => l.Order).Select(l => l.Text);

    public void Violation(string text) => Add(text, 1);

    public void Violations(IEnumerable<string> texts)
    {
        foreach (var t in texts)
        {
            Violation(t);
        }
    }

    public void Unreadable(string text) => Add(text, 2);

    private void Add(string text, int code)
    {
        Code = Math.Max(Code, code);
        lines.Add((LineOf(text), text));
    }

    // "line 12: ..." sorts by 12; anything else after every ledger line, in the order it was found.
    private static int LineOf(string text)
    {
        if (!text.StartsWith("line ", StringComparison.Ordinal))
        {
            return int.MaxValue;
        }

        var end = text.IndexOf(':', StringComparison.Ordinal);
        return end > 5 && int.TryParse(text.AsSpan(5, end - 5), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue;
    }
}
