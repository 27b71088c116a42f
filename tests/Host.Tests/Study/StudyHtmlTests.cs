using V2V.Host.Study;

namespace V2V.Host.Tests.Study;

public sealed class StudyHtmlTests
{
    [Fact]
    public void Render_HeadingTableImageAndInline_BecomeTheirHtml()
    {
        string dir = Directory.CreateTempSubdirectory("v2v-html-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "charts"));
            byte[] png = [1, 2, 3, 250];
            File.WriteAllBytes(Path.Combine(dir, "charts", "a.png"), png);
            const string Markdown = "# Title\n\nOne **bold** and `code <x>`\nsame paragraph.\n\n| h1 | h2 |\n| --- | --- |\n| a | *b* |\n\n![a](charts/a.png)\n";

            string html = StudyHtml.Render(Markdown, dir);

            Assert.Contains("<h1>Title</h1>", html, StringComparison.Ordinal);
            Assert.Contains("<p>One <strong>bold</strong> and <code>code &lt;x&gt;</code> same paragraph.</p>", html, StringComparison.Ordinal);
            Assert.Contains("<table>\n<tr><th>h1</th><th>h2</th></tr>\n<tr><td>a</td><td><em>b</em></td></tr>\n</table>", html, StringComparison.Ordinal);
            Assert.Contains("<img alt=\"a\" src=\"data:image/png;base64,AQID+g==\">", html, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
