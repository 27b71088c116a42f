using System.Text;
using System.Text.RegularExpressions;

namespace V2V.Host.Tests;

/// <summary>
/// The README and docs/ stand alone: every link is relative, stays inside the repository, names a file or folder that
/// exists, and a #fragment names a heading of its target (GitHub's anchor rules).
/// </summary>
public sealed partial class DocsLinksTests
{
    public static TheoryData<string> Documents()
    {
        var data = new TheoryData<string>();
        data.Add("README.md");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "docs"), "*.md", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(RepositoryRoot.Path, file).Replace('\\', '/'));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Document_EveryLink_ResolvesInsideTheRepository(string document)
    {
        string path = Path.Combine(RepositoryRoot.Path, document);
        var broken = new List<string>();
        foreach (var (line, target) in Links(File.ReadAllLines(path)))
        {
            if (Problem(path, target) is { } problem)
            {
                broken.Add($"{document}:{line}: ({target}): {problem}");
            }
        }

        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    [Fact]
    public void Links_CodeSpansAndFencedBlocks_AreNotLinks()
    {
        string[] text = ["a [x](one.md) `[y](two.md)`", "```", "[z](three.md)", "```", "![img](four.svg \"title\")"];

        Assert.Equal([(1, "one.md"), (5, "four.svg")], Links(text));
    }

    [Theory]
    [InlineData("## `v2v clear`: check our clearing against yours", "v2v-clear-check-our-clearing-against-yours")]
    [InlineData("### With a trained model: `v2v run --policy learned --model DIR`", "with-a-trained-model-v2v-run---policy-learned---model-dir")]
    [InlineData("### 7.6 Training protocol", "76-training-protocol")]
    public void Anchor_Heading_FollowsGitHubRules(string heading, string expected)
    {
        Assert.Contains(expected, Anchors([heading]));
    }

    [Fact]
    public void Problem_LinkOutsideTheRepository_IsReported()
    {
        string readme = Path.Combine(RepositoryRoot.Path, "README.md");

        Assert.Equal("leaves the repository", Problem(readme, "../shared/SPEC.md"));
        Assert.Equal("links outside the repository", Problem(readme, "https://example.org/x"));
        Assert.Equal("no such file or folder", Problem(readme, "docs/no-such-file.md"));
        Assert.Equal("no heading with anchor #no-such-heading", Problem(readme, "docs/model.md#no-such-heading"));
        Assert.Null(Problem(readme, "docs/model.md#8-metrics"));
    }

    private static string? Problem(string document, string target)
    {
        if (UriScheme().IsMatch(target) || target.StartsWith("//", StringComparison.Ordinal))
        {
            return "links outside the repository";
        }

        int hash = target.IndexOf('#', StringComparison.Ordinal);
        string file = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
        string? fragment = hash < 0 ? null : target[(hash + 1)..];
        string full = file.Length == 0 ? document : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(document)!, file));
        string root = Path.GetFullPath(RepositoryRoot.Path) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(root, StringComparison.Ordinal))
        {
            return "leaves the repository";
        }

        if (!File.Exists(full) && !Directory.Exists(full))
        {
            return "no such file or folder";
        }

        if (fragment is not null && full.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllLines(full)).Contains(fragment))
        {
            return $"no heading with anchor #{fragment}";
        }

        return null;
    }

    // (1-based line, target) of every inline link and image outside code; a title after the target is dropped.
    private static List<(int Line, string Target)> Links(IReadOnlyList<string> lines)
    {
        var links = new List<(int, string)>();
        bool fenced = false;
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }

            if (fenced)
            {
                continue;
            }

            foreach (Match m in Link().Matches(CodeSpan().Replace(lines[i], "")))
            {
                links.Add((i + 1, m.Groups["target"].Value));
            }
        }

        return links;
    }

    // GitHub: lower case, drop what is not a letter, digit, space, '-' or '_', spaces to '-'; repeats get -1, -2, ...
    private static HashSet<string> Anchors(IReadOnlyList<string> lines)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        bool fenced = false;
        foreach (var line in lines)
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
            }

            var m = Heading().Match(line);
            if (fenced || !m.Success)
            {
                continue;
            }

            var slug = new StringBuilder();
            foreach (char c in m.Groups["text"].Value.Trim().ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(c) || c is '-' or '_')
                {
                    slug.Append(c);
                }
                else if (c == ' ')
                {
                    slug.Append('-');
                }
            }

            string anchor = slug.ToString();
            int count = seen.GetValueOrDefault(anchor);
            seen[anchor] = count + 1;
            anchors.Add(count == 0 ? anchor : $"{anchor}-{count}");
        }

        return anchors;
    }

    [GeneratedRegex(@"!?\[[^\]]*\]\((?<target>[^)\s]+)(\s+""[^""]*"")?\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex UriScheme();
}
