using System.Globalization;
using System.Text.Json;

namespace V2V.Host.Tests.Study;

/// <summary>
/// The arrival-order part of an experiment end to end on a one-day grid: one method, one N, one seed, a variant
/// without latency and one with uniform latency. The report's counts are recomputed from the ledgers here.
/// </summary>
public sealed class ArrivalOrderStudyTests : IDisposable
{
    private const string Conf = """
        v2v {
          time.days = 1
          evaluation {
            methods = ["double-auction"]
            agents = [8]
            seeds = [0]
            days = 1
            baseline = double-auction
          }
        }
        experiment {
          name = order
          title = "order: arrival"
          question = "Does arriving first pay?"
          x-label = "latency"
          metrics = [social_welfare_aud]
          arrival-order-bins = 2
          variants {
            instant { x = 0, set = [] }
            uniform { x = 1, set = ["v2v.simulation.latency.model=uniform"] }
          }
        }
        """;

    private readonly string root = Directory.CreateTempSubdirectory("v2v-arrival-study-").FullName;

    [Fact]
    public void Study_ArrivalOrderBins_CsvCountsEveryRankedOrderOfTheLedgers()
    {
        string conf = Path.Combine(this.root, "order.conf");
        File.WriteAllText(conf, Conf);
        string dir = Path.Combine(this.root, "study");

        var (code, _, err) = V2vCli.Run("study", "--config", conf, "--out", dir);

        Assert.True(code == 0, err);
        var rows = File.ReadAllLines(Path.Combine(dir, "arrival-order.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        foreach (var variant in new[] { "instant", "uniform" })
        {
            // Independently: the steps whose orders arrived at more than one time, and their orders.
            var books = File.ReadLines(Path.Combine(dir, "runs", variant, "double-auction-n8-s0", "ledger.jsonl"))
                .Select(l => JsonDocument.Parse(l).RootElement)
                .Where(e => e.GetProperty("kind").GetString() == "order")
                .GroupBy(e => e.GetProperty("step").GetInt32(), e => e.GetProperty("arrivalMs").GetDouble())
                .ToArray();
            var ranked = books.Where(b => b.Distinct().Count() > 1).ToArray();
            var mine = rows.Where(r => r[0] == variant).ToArray();
            Assert.Equal(4, mine.Length);
            Assert.Equal(ranked.Sum(b => b.Count()), mine.Sum(r => int.Parse(r[5], CultureInfo.InvariantCulture)));
            Assert.All(mine, r => Assert.Equal(ranked.Length.ToString(CultureInfo.InvariantCulture), r[13]));
            Assert.All(mine, r => Assert.Equal((books.Length - ranked.Length).ToString(CultureInfo.InvariantCulture), r[14]));
        }

        Assert.DoesNotContain(rows, r => r[0] == "instant" && r[5] != "0");
        Assert.Contains(rows, r => r[0] == "uniform" && r[5] != "0");
        string report = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.Contains("### Arrival order within a step", report, StringComparison.Ordinal);
        Assert.Contains("No arrival order in **instant**", report, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir, "charts", "order-order-double-auction.png")));
    }

    [Fact]
    public void Study_ArrivalOrderBinsOne_ExitsTwoNamingTheKey()
    {
        string conf = Path.Combine(this.root, "one.conf");
        File.WriteAllText(conf, Conf.Replace("arrival-order-bins = 2", "arrival-order-bins = 1", StringComparison.Ordinal));

        var (code, _, err) = V2vCli.Run("study", "--config", conf, "--out", Path.Combine(this.root, "one"));

        Assert.Equal(2, code);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Contains("experiment.arrival-order-bins: must be from 2 to", err, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(this.root, recursive: true);
}
