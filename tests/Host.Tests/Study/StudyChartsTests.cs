using System.Text.RegularExpressions;

namespace V2V.Host.Tests.Study;

/// <summary>The smoke study's charts and report.html: every chart a PNG, referenced by report.md and embedded in report.html.</summary>
public sealed partial class StudyChartsTests(SmokeStudyFixture study) : IClassFixture<SmokeStudyFixture>
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void Charts_SmokeStudy_EveryIssueChartIsAPngReferencedByTheReport()
    {
        Assert.True(study.Code == 0, study.Err);
        string report = File.ReadAllText(Path.Combine(study.Dir, "report.md"));
        string[] expected =
        [
            "sw-vs-n.png", "volume-vs-n.png", "jain-vs-n.png", "gini-vs-n.png", "prices.png", "lorenz.png",
            "training-sw.png", "training-reward.png",
        ];
        foreach (var name in expected)
        {
            byte[] png = File.ReadAllBytes(Path.Combine(study.Dir, "charts", name));
            Assert.Equal(PngSignature, png[..8]);
            Assert.Contains($"(charts/{name})", report, StringComparison.Ordinal);
        }

        Assert.Equal(expected.Order(), Directory.GetFiles(Path.Combine(study.Dir, "charts")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void ReportHtml_SmokeStudy_SelfContainedWithEveryChartEmbeddedByteForByte()
    {
        string html = File.ReadAllText(Path.Combine(study.Dir, "report.html"));

        // No reference to anything outside the page: every src is a data URI, no href or stylesheet link.
        Assert.All(SourceAttribute().Matches(html), m => Assert.StartsWith("data:image/png;base64,", m.Groups[1].Value, StringComparison.Ordinal));
        Assert.DoesNotContain("href=", html, StringComparison.Ordinal);
        var embedded = SourceAttribute().Matches(html).Select(m => Convert.FromBase64String(m.Groups[1].Value["data:image/png;base64,".Length..])).ToArray();
        var charts = Directory.GetFiles(Path.Combine(study.Dir, "charts")).Select(File.ReadAllBytes).ToArray();
        Assert.Equal(charts.Length, embedded.Length);
        Assert.All(charts, c => Assert.Contains(embedded, e => e.AsSpan().SequenceEqual(c)));

        // The study's figures stay labelled as the study's in the HTML too.
        Assert.Contains("<th>the study&#39;s (published)</th>", html, StringComparison.Ordinal);
        Assert.Contains("<td>volume change</td><td>+62.9 %</td>", html, StringComparison.Ordinal);
    }

    [GeneratedRegex("src=\"([^\"]*)\"")]
    private static partial Regex SourceAttribute();
}
