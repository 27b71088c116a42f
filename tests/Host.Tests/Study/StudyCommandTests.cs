using System.Globalization;
using System.Text.Json;
using V2V.Host.Configuration;

namespace V2V.Host.Tests.Study;

/// <summary>
/// `v2v study` end to end on the smoke configuration: the report's numbers against the run folders (recomputed here
/// from summary.json and the ledger, not through the study's code), resuming, and its one-line errors.
/// </summary>
public sealed class StudyCommandTests(SmokeStudyFixture study) : IClassFixture<SmokeStudyFixture>
{
    private static readonly string[] Methods = ["nash-maddpg", "double-auction"];

    private static readonly int[] Agents = [6, 10];

    // summary.json's field behind each column of runs.csv and summary.csv that it holds.
    private static readonly (string Column, string Field)[] FromSummary =
    [
        ("social_welfare_aud", "socialWelfareAud"),
        ("volume_kwh", "volumeKwh"),
        ("match_rate", "matchRate"),
        ("jain", "jain"),
        ("gini", "gini"),
        ("price_mean_aud_per_kwh", "priceMeanAudPerKwh"),
        ("price_std_aud_per_kwh", "priceStdAudPerKwh"),
    ];

    [Fact]
    public void Study_SmokeConfig_TrainsRunsAndVerifiesEveryCell()
    {
        Assert.True(study.Code == 0, study.Err);
        Assert.True(File.Exists(Path.Combine(study.Dir, "models", "nash-maddpg", "model.v2vnn")));
        Assert.False(Directory.Exists(Path.Combine(study.Dir, "models", "double-auction")));
        foreach (var method in Methods)
        {
            foreach (var n in Agents)
            {
                Assert.True(File.Exists(Path.Combine(study.Dir, "runs", $"{method}-n{n}-s0", "complete.json")));
            }
        }

        Assert.Equal(4, Directory.GetDirectories(Path.Combine(study.Dir, "runs")).Length);
        Assert.Contains("4 runs, 0 complete already, 4 to run", study.Err, StringComparison.Ordinal);
        Assert.Contains("[4/4]", study.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void RunsCsv_SmokeStudy_EachRowIsItsRunFolder()
    {
        var rows = Csv(Path.Combine(study.Dir, "runs.csv"));

        Assert.Equal(4, rows.Count);
        double buffer = ConfigLoader.Load(SmokeStudyFixture.SmokeConf, []).GetDouble("v2v.vehicle.seller-buffer");
        foreach (var row in rows)
        {
            string run = Path.Combine(study.Dir, "runs", $"{row["method"]}-n{row["agents"]}-s{row["seed"]}");
            using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
            foreach (var (column, field) in FromSummary)
            {
                Assert.Equal(summary.RootElement.GetProperty(field).GetDouble(), Number(row[column]));
            }

            Assert.Equal(Number(row["social_welfare_aud"]) / int.Parse(row["agents"], CultureInfo.InvariantCulture), Number(row["social_welfare_per_agent_aud"]), 12);
            Assert.Equal(SupplyDemandFromLedger(Path.Combine(run, "ledger.jsonl"), buffer), Number(row["supply_demand_ratio"]), 12);
        }

        Assert.Equal("learned", rows[0]["policy"]);
        Assert.Equal("double-auction", rows[^1]["mechanism"]);
    }

    [Fact]
    public void SummaryCsv_SmokeStudy_MediansAndChangesRecomputedFromRunFolders()
    {
        var summary = Csv(Path.Combine(study.Dir, "summary.csv"));

        foreach (var (column, field) in FromSummary)
        {
            double baseline = MedianOf(RunValues("double-auction", field));
            foreach (var method in Methods)
            {
                var values = RunValues(method, field);
                var row = Assert.Single(summary, r => r["method"] == method && r["metric"] == column);
                double median = MedianOf(values);
                Assert.Equal(median, Number(row["median"]), 12);
                Assert.Equal(Math.Abs(values[1] - values[0]) / 2, Number(row["iqr"]), 12);
                if (baseline != 0)
                {
                    Assert.Equal((median - baseline) / Math.Abs(baseline), Number(row["median_relative_change_vs_baseline"]), 12);
                }
            }
        }
    }

    [Fact]
    public void ReportMd_SmokeStudy_PutsTheStudysFiguresBesideOursLabelled()
    {
        string report = File.ReadAllText(Path.Combine(study.Dir, "report.md"));
        double ours = MedianOf(RunValues("nash-maddpg", "volumeKwh"));
        double baseline = MedianOf(RunValues("double-auction", "volumeKwh"));
        string oursText = baseline == 0 ? "n/a" : ((ours - baseline) / Math.Abs(baseline) * 100).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + " %";

        Assert.Contains("| figure | the study's (published) | ours (this study) |", report, StringComparison.Ordinal);
        Assert.Contains($"| volume change | +62.9 % | {oursText} |", report, StringComparison.Ordinal);
        Assert.Contains("| clearing price of the method (AUD/kWh), mean +- std | 0.208 +- 0.031 |", report, StringComparison.Ordinal);
        Assert.Contains("CV of SW per agent across N", report, StringComparison.Ordinal);

        // One seed: SW per agent at each N is that run's SW / N; the sample std of two values is |a - b| / sqrt 2.
        var perAgent = RunValues("double-auction", "socialWelfareAud").Zip(Agents, (sw, n) => sw / n).ToArray();
        double cv = Math.Abs(perAgent[0] - perAgent[1]) / Math.Sqrt(2) / ((perAgent[0] + perAgent[1]) / 2);
        Assert.Contains($"| double-auction | {(cv * 100).ToString("0.0", CultureInfo.InvariantCulture)} % | n/a | n/a |", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Study_SecondInvocation_SkipsCompletedRunsAndRedoesTheIncompleteOne()
    {
        string dir = study.Copy("resumed");
        foreach (var run in Directory.GetDirectories(Path.Combine(dir, "runs")))
        {
            File.WriteAllText(Path.Combine(run, "kept.txt"), "a redone run loses this file");
        }

        File.Delete(Path.Combine(dir, "runs", "double-auction-n10-s0", "complete.json"));

        var (code, _, err) = V2vCli.Run("study", "--config", SmokeStudyFixture.SmokeConf, "--out", dir);

        Assert.True(code == 0, err);
        Assert.Contains("model nash-maddpg: reusing", err, StringComparison.Ordinal);
        Assert.Contains("4 runs, 3 complete already, 1 to run", err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "runs", "double-auction-n10-s0", "kept.txt")));
        Assert.True(File.Exists(Path.Combine(dir, "runs", "double-auction-n10-s0", "complete.json")));
        Assert.Equal(3, Directory.GetFiles(Path.Combine(dir, "runs"), "kept.txt", SearchOption.AllDirectories).Length);
        Assert.Equal(File.ReadAllText(Path.Combine(study.Dir, "runs.csv")), File.ReadAllText(Path.Combine(dir, "runs.csv")));
    }

    [Fact]
    public void Study_RunThatDoesNotVerify_FailsNamingTheRun()
    {
        string dir = study.Copy("tampered");
        string summary = Path.Combine(dir, "runs", "double-auction-n6-s0", "summary.json");
        using (var doc = JsonDocument.Parse(File.ReadAllText(summary)))
        {
            int committed = doc.RootElement.GetProperty("tradesCommitted").GetInt32();
            File.WriteAllText(summary, File.ReadAllText(summary).Replace(
                $"\"tradesCommitted\": {committed}", $"\"tradesCommitted\": {committed + 1}", StringComparison.Ordinal));
        }

        var (code, _, err) = V2vCli.Run("study", "--config", SmokeStudyFixture.SmokeConf, "--out", dir);

        Assert.Equal(1, code);
        Assert.StartsWith("v2v study: run double-auction-n6-s0 does not verify", err.Split('\n').Last(l => l.Length > 0), StringComparison.Ordinal);
    }

    [Fact]
    public void Study_RunThatCannotBeMade_FailsWithOneLineNamingTheRun()
    {
        string dir = study.Copy("blocked");
        string run = Path.Combine(dir, "runs", "double-auction-n10-s0");
        Directory.Delete(run, recursive: true);
        File.WriteAllText(run, "a file where the run folder belongs");

        var (code, _, err) = V2vCli.Run("study", "--config", SmokeStudyFixture.SmokeConf, "--out", dir);

        Assert.Equal(1, code);
        string last = err.Split('\n').Last(l => l.Length > 0);
        Assert.StartsWith("v2v study: run double-auction-n10-s0 failed (exit 2): v2v run: --out:", last, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v2v.evaluation.baseline=greedy-average", "v2v.evaluation.baseline: 'greedy-average' is not one of the evaluated methods")]
    [InlineData("v2v.evaluation.methods=[\"nash\"]", "v2v.evaluation.methods[0]: 'nash' is not a method under v2v.methods")]
    [InlineData("v2v.evaluation.seeds=[0, 0]", "v2v.evaluation.seeds: lists 0 twice")]
    [InlineData("v2v.evaluation.agents=[]", "v2v.evaluation.agents: is empty")]
    public void Study_BadEvaluationKey_ExitsTwoWithOneLineAndWritesNothing(string set, string expected)
    {
        string dir = Path.Combine(study.Root, "bad-" + Guid.NewGuid().ToString("N"));

        var (code, _, err) = V2vCli.Run("study", "--config", SmokeStudyFixture.SmokeConf, "--set", set, "--out", dir);

        Assert.Equal(2, code);
        Assert.Contains(expected, err, StringComparison.Ordinal);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Study_FolderOfAnotherConfiguration_Refused()
    {
        var (code, _, err) = V2vCli.Run("study", "--config", SmokeStudyFixture.SmokeConf, "--set", "v2v.time.days=2", "--out", study.Dir);

        Assert.Equal(2, code);
        Assert.Contains("holds a study of another configuration", err, StringComparison.Ordinal);
    }

    private double[] RunValues(string method, string field) =>
    [
        .. Agents.Select(n =>
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(study.Dir, "runs", $"{method}-n{n}-s0", "summary.json")));
            return doc.RootElement.GetProperty(field).GetDouble();
        }),
    ];

    // Two values (two N, one seed): the median is their mean.
    private static double MedianOf(double[] two) => (two[0] + two[1]) / 2;

    // SPEC 10, each EV once at arrival: spare (SoC - target - buffer)+ x battery over need (target - SoC)+ x battery.
    private static double SupplyDemandFromLedger(string ledger, double buffer)
    {
        double battery = 0, spare = 0, need = 0;
        foreach (var line in File.ReadLines(ledger))
        {
            using var doc = JsonDocument.Parse(line);
            var e = doc.RootElement;
            switch (e.GetProperty("kind").GetString())
            {
                case "run":
                    battery = e.GetProperty("batteryKwh").GetDouble();
                    break;
                case "arrival":
                    double soc = e.GetProperty("soc").GetDouble(), target = e.GetProperty("targetSoc").GetDouble();
                    spare += Math.Max(0, soc - target - buffer) * battery;
                    need += Math.Max(0, target - soc) * battery;
                    break;
            }
        }

        return spare / need;
    }

    private static List<Dictionary<string, string>> Csv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return [.. lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second))];
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);
}
