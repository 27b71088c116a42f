using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace V2V.Host.Tests.Study;

/// <summary>
/// An experiment end to end on a one-day grid: two variants (no dropout and heavy dropout) x a method declared in
/// the experiment and a built-in one x one N x two seeds, with the misreport probe. The report's paired numbers are
/// recomputed from the run folders.
/// </summary>
public sealed partial class ExperimentStudyTests : IDisposable
{
    private const string Conf = """
        v2v {
          time.days = 1
          evaluation {
            methods = ["nash-truthful", "double-auction"]
            agents = [6]
            seeds = [0, 1]
            days = 1
            baseline = double-auction
          }
        }
        experiment {
          name = trial
          title = "trial: dropout"
          question = "What does heavy dropout cost?"
          x-label = "dropout"
          metrics = [social_welfare_aud, trades_voided]
          misreport-markups = [0, 0.1]
          methods {
            nash-truthful { policy = truthful, mechanism = nash }
          }
          variants {
            none { x = 0, set = [] }
            heavy { x = 0.2, set = ["v2v.simulation.faults.dropout=0.2"] }
          }
        }
        """;

    private readonly string root = Directory.CreateTempSubdirectory("v2v-experiment-").FullName;

    [Fact]
    public void Study_ExperimentConfig_RunsEveryVariantPairedAndReportsTheDifferences()
    {
        string conf = Write("trial.conf", Conf);
        string dir = Path.Combine(this.root, "study");

        var (code, _, err) = V2vCli.Run("study", "--config", conf, "--out", dir);

        Assert.True(code == 0, err);
        foreach (var variant in new[] { "none", "heavy" })
        {
            foreach (var run in new[] { "nash-truthful-n6-s0", "nash-truthful-n6-s1", "double-auction-n6-s0", "double-auction-n6-s1" })
            {
                Assert.True(File.Exists(Path.Combine(dir, "runs", variant, run, "complete.json")), $"{variant}/{run}");
            }
        }

        var csv = File.ReadAllLines(Path.Combine(dir, "runs.csv"));
        Assert.StartsWith("variant,method,", csv[0], StringComparison.Ordinal);
        Assert.Equal(9, csv.Length);
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "runs", "heavy", "double-auction-n6-s0", "config.json"))))
        {
            Assert.Equal(0.2, config.RootElement.GetProperty("v2v").GetProperty("simulation").GetProperty("faults").GetProperty("dropout").GetDouble());
        }

        // Paired: per seed, SW in heavy minus SW in none of the same method and seed; the median of two is their mean.
        double[] differences = [.. new[] { 0, 1 }.Select(s => Sw(dir, "heavy", s) - Sw(dir, "none", s))];
        string expected = ((differences[0] + differences[1]) / 2).ToString("0.####", CultureInfo.InvariantCulture);
        string report = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.Contains("## Experiment: trial: dropout", report, StringComparison.Ordinal);
        Assert.Matches($@"\| heavy \| {Regex.Escape(expected)} \(", report);
        Assert.True(File.Exists(Path.Combine(dir, "charts", "trial-social_welfare_aud.png")));
        Assert.True(File.Exists(Path.Combine(dir, "charts", "incentives-gain.png")));

        // The probe re-clears the recorded books of the reference variant and gets the ledger's trades back.
        var check = Reproduced().Match(report);
        Assert.True(check.Success, "the probe's check line is missing");
        Assert.Equal(check.Groups[2].Value, check.Groups[1].Value);
        Assert.NotEqual("0", check.Groups[2].Value);
    }

    [Fact]
    public void Study_VariantWithUnknownKey_ExitsTwoWithOneLineAndWritesNothing()
    {
        string conf = Write("typo.conf", Conf.Replace("faults.dropout=0.2", "faults.dropuot=0.2", StringComparison.Ordinal));
        string dir = Path.Combine(this.root, "typo");

        var (code, _, err) = V2vCli.Run("study", "--config", conf, "--out", dir);

        Assert.Equal(2, code);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Contains("v2v.simulation.faults.dropuot: unknown key", err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Study_VariantWithoutX_ExitsTwoNamingTheKey()
    {
        string conf = Write("nox.conf", Conf.Replace("heavy { x = 0.2, ", "heavy { ", StringComparison.Ordinal));

        var (code, _, err) = V2vCli.Run("study", "--config", conf, "--out", Path.Combine(this.root, "nox"));

        Assert.Equal(2, code);
        Assert.Contains("experiment.variants.heavy.x: missing", err, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(this.root, recursive: true);

    private static double Sw(string dir, string variant, int seed)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "runs", variant, $"nash-truthful-n6-s{seed}", "summary.json")));
        return doc.RootElement.GetProperty("socialWelfareAud").GetDouble();
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(this.root, name);
        File.WriteAllText(path, text);
        return path;
    }

    [GeneratedRegex(@"give the ledger's trades in (\d+) of (\d+) books")]
    private static partial Regex Reproduced();
}
