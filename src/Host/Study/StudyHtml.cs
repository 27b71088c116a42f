using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace V2V.Host.Study;

/// <summary>
/// report.html: report.md rendered as one self-contained HTML page (no file or network references), each chart
/// embedded as a base64 PNG data URI. It renders only the markdown the study writes: headings (#, ##, ###),
/// paragraphs, pipe tables, image lines and inline **bold**, *italics* and `code`; so the two reports never disagree.
/// </summary>
internal static partial class StudyHtml
{
    private const string Style = """
        body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
        table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
        th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; }
        th { background: #eee; }
        img { max-width: 100%; border: 1px solid #ddd; }
        code { background: #f4f4f4; padding: 0 0.2em; }
        """;

    public static string Render(string markdown, string studyDir)
    {
        var w = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Study report</title>\n<style>\n")
            .Append(Style).Append("</style>\n</head>\n<body>\n");
        var paragraph = new List<string>();
        var table = new List<string>();
        void Flush()
        {
            if (paragraph.Count > 0)
            {
                w.Append("<p>").Append(Inline(string.Join(' ', paragraph))).Append("</p>\n");
                paragraph.Clear();
            }

            if (table.Count > 0)
            {
                Table(w, table);
                table.Clear();
            }
        }

        foreach (var line in markdown.Split('\n'))
        {
            if (line.StartsWith('|'))
            {
                if (paragraph.Count > 0)
                {
                    Flush();
                }

                table.Add(line);
                continue;
            }

            if (table.Count > 0 || line.Length == 0)
            {
                Flush();
            }

            if (line.Length == 0)
            {
                continue;
            }

            if (Heading().Match(line) is { Success: true } h)
            {
                Flush();
                int level = h.Groups[1].Value.Length;
                w.Append(System.Globalization.CultureInfo.InvariantCulture, $"<h{level}>{Inline(h.Groups[2].Value)}</h{level}>\n");
            }
            else if (Image().Match(line) is { Success: true } image)
            {
                Flush();
                string path = Path.Combine(studyDir, image.Groups[2].Value);
                string data = Convert.ToBase64String(File.ReadAllBytes(path));
                w.Append("<p><img alt=\"").Append(WebUtility.HtmlEncode(image.Groups[1].Value)).Append("\" src=\"data:image/png;base64,").Append(data).Append("\"></p>\n");
            }
            else
            {
                paragraph.Add(line);
            }
        }

        Flush();
        return w.Append("</body>\n</html>\n").ToString();
    }

    private static void Table(StringBuilder w, List<string> lines)
    {
        w.Append("<table>\n");
        for (int i = 0; i < lines.Count; i++)
        {
            if (i == 1 && Separator().IsMatch(lines[i]))
            {
                continue;
            }

            string cell = i == 0 ? "th" : "td";
            var cells = lines[i].Trim().Trim('|').Split('|');
            w.Append("<tr>");
            foreach (var c in cells)
            {
                w.Append('<').Append(cell).Append('>').Append(Inline(c.Trim())).Append("</").Append(cell).Append('>');
            }

            w.Append("</tr>\n");
        }

        w.Append("</table>\n");
    }

    private static string Inline(string text)
    {
        string s = WebUtility.HtmlEncode(text);
        s = Code().Replace(s, "<code>$1</code>");
        s = Bold().Replace(s, "<strong>$1</strong>");
        return Italic().Replace(s, "<em>$1</em>");
    }

    [GeneratedRegex(@"^(#{1,3}) (.*)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^!\[(.*)\]\(([^)]+\.png)\)$")]
    private static partial Regex Image();

    [GeneratedRegex(@"^\|( *:?-+:? *\|)+$")]
    private static partial Regex Separator();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex Code();

    [GeneratedRegex(@"\*\*([^*]+)\*\*")]
    private static partial Regex Bold();

    [GeneratedRegex(@"\*([^*]+)\*")]
    private static partial Regex Italic();
}
