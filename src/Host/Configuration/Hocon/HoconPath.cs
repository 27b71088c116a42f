using System.Text;

namespace V2V.Host.Configuration.Hocon;

/// <summary>Dotted key paths: <c>a.b."c.d"</c> has segments a, b and c.d. Array elements show as <c>[i]</c>.</summary>
internal static class HoconPath
{
    public static IReadOnlyList<string> Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = new List<string>();
        var current = new StringBuilder();
        bool quoted = false, any = false;
        foreach (char c in path)
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == '.' && !quoted)
            {
                Add();
            }
            else
            {
                current.Append(c);
                any = true;
            }
        }

        if (quoted)
        {
            throw new ArgumentException($"unclosed quote in config path '{path}'", nameof(path));
        }

        Add();
        return segments;

        void Add()
        {
            if (!any)
            {
                throw new ArgumentException($"empty segment in config path '{path}'", nameof(path));
            }

            segments.Add(current.ToString());
            current.Clear();
            any = false;
        }
    }

    public static string Format(IEnumerable<string> segments)
    {
        var sb = new StringBuilder();
        foreach (var segment in segments)
        {
            bool index = segment.StartsWith('[');
            if (sb.Length > 0 && !index)
            {
                sb.Append('.');
            }

            sb.Append(index || IsPlain(segment) ? segment : "\"" + segment + "\"");
        }

        return sb.ToString();
    }

    private static bool IsPlain(string segment)
    {
        if (segment.Length == 0)
        {
            return false;
        }

        foreach (char c in segment)
        {
            if (c == '.' || char.IsWhiteSpace(c) || HoconParser.IsForbidden(c))
            {
                return false;
            }
        }

        return true;
    }
}
