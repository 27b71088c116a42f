using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace V2V.Host.Tests.Study;

/// <summary>
/// The node-loss arm of an experiment end to end on a one-day grid: the reference variant and one node loss (1 of 2
/// nodes at step 6) x two methods x one N x two seeds. The report's numbers are recomputed from the run folders.
/// </summary>
public sealed class NodeLossStudyTests : IDisposable
{
    private const string Conf = """
        v2v {
          time.days = 1
          evaluation {
            methods = ["nash-truthful", "double-auction"]
            agents = [8]
            seeds = [0, 1]
            days = 1
            baseline = double-auction
          }
        }
        experiment {
          name = trial
          title = "trial: node loss"
          question = "What does losing half the nodes cost?"
          x-label = "dropout"
          metrics = [social_welfare_per_agent_aud, trades_voided]
          methods {
            nash-truthful { policy = truthful, mechanism = nash }
          }
          variants {
            none { x = 0, set = [] }
          }
          node-loss { at-step = 6, node = 0, nodes = [2] }
        }
        """;

    private readonly string root = Directory.CreateTempSubdirectory("v2v-node-loss-study-").FullName;

    public void Dispose() => Directory.Delete(this.root, recursive: true);

    [Fact]
    public void Study_NodeLossArm_RunsTheLossPairedAndReportsLostEvsAndSwChange()
    {
        string conf = Write("trial.conf", Conf);
        string dir = Path.Combine(this.root, "study");

        var (code, _, err) = V2vCli.Run("study", "--config", conf, "--out", dir);

        Assert.True(code == 0, err);
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "runs", "node-loss-1of2", "nash-truthful-n8-s0", "config.json"))))
        {
            var loss = config.RootElement.GetProperty("v2v").GetProperty("simulation").GetProperty("faults").GetProperty("node-loss");
            Assert.Equal(6, loss.GetProperty("at-step").GetInt32());
            Assert.Equal(2, loss.GetProperty("nodes").GetInt32());
        }

        // Per method: the median (here the mean of two seeds) of the EVs lost and of the paired relative SW change.
        string report = File.ReadAllText(Path.Combine(dir, "report.md"));
        string[] cells = [.. new[] { "nash-truthful", "double-auction" }.Select(m =>
        {
            double lost = new[] { 0, 1 }.Average(s => Lost(dir, m, s));
            double change = new[] { 0, 1 }.Average(s => (Sw(dir, "node-loss-1of2", m, s) - Sw(dir, "none", m, s)) / Math.Abs(Sw(dir, "none", m, s)));
            return $"{lost.ToString("0.####", CultureInfo.InvariantCulture)}; {(change * 100).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture)} %;";
        })];
        Assert.Contains("### Node loss: one of K nodes, with its EVs", report, StringComparison.Ordinal);
        Assert.Matches($@"\| 2 \(0\.5\) \| {Regex.Escape(cells[0])} [^|]+\| {Regex.Escape(cells[1])} ", report);
        Assert.True(new[] { 0, 1 }.All(s => Lost(dir, "nash-truthful", s) > 0), "no EV was lost with the node");
        Assert.True(File.Exists(Path.Combine(dir, "charts", "trial-node-loss.png")));
    }

    [Theory]
    [InlineData("nodes = [1]", "experiment.node-loss.nodes: every K must be at least 2 and above node (0), got 1")]
    [InlineData("nodes = [2, 2]", "experiment.node-loss.nodes: expected a non-empty list of distinct node counts K")]
    [InlineData("at-step = 0, nodes = [2]", "experiment.node-loss.at-step: expected a step in [1, 15] (the runs have 16 steps), got 0")]
    [InlineData("at-step = 16, nodes = [2]", "experiment.node-loss.at-step: expected a step in [1, 15] (the runs have 16 steps), got 16")]
    public void Study_BadNodeLossArm_ExitsTwoNamingTheKey(string arm, string expected)
    {
        string conf = Write("bad.conf", Conf.Replace("node-loss { at-step = 6, node = 0, nodes = [2] }", $"node-loss {{ at-step = 6, node = 0, {arm} }}", StringComparison.Ordinal));
        string dir = Path.Combine(this.root, "bad");

        var (code, _, err) = V2vCli.Run("study", "--config", conf, "--out", dir);

        Assert.Equal(2, code);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Contains(expected, err, StringComparison.Ordinal);
    }

    private static double Sw(string dir, string variant, string method, int seed)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "runs", variant, $"{method}-n8-s{seed}", "summary.json")));
        return doc.RootElement.GetProperty("socialWelfareAud").GetDouble() / 8;
    }

    private static int Lost(string dir, string method, int seed) =>
        File.ReadLines(Path.Combine(dir, "runs", "node-loss-1of2", $"{method}-n8-s{seed}", "ledger.jsonl")).Count(l => l.Contains("\"reason\":\"lost with node\"", StringComparison.Ordinal));

    private string Write(string name, string text)
    {
        string path = Path.Combine(this.root, name);
        File.WriteAllText(path, text);
        return path;
    }
}
