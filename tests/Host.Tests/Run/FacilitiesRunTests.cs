using System.Text.Json;
using V2V.Host.Cli;
using V2V.Host.Run;

namespace V2V.Host.Tests.Run;

/// <summary>
/// `v2v run --facilities F`: F = 1 is the plain run, byte for byte and file for file; F = 3 writes one run folder per
/// facility, each reproducible on its own from its config.json, a run-level summary over them, and `v2v verify`
/// checks all of it, naming the facility of every problem.
/// </summary>
public sealed class FacilitiesRunTests : IDisposable
{
    private static readonly string[] Quick = ["--agents", "6", "--days", "1", "--mechanism", "greedy-average", "--seed", "8", "--quiet"];
    private readonly string runs = Directory.CreateTempSubdirectory("v2v-facilities-").FullName;

    public void Dispose() => Directory.Delete(this.runs, recursive: true);

    [Fact]
    public void Run_OneFacility_SameFilesAndLedgerBytesAsThePlainRun()
    {
        var plain = Path.Combine(this.runs, "plain");
        var one = Path.Combine(this.runs, "one");

        Assert.Equal(0, V2vCli.Run(["run", .. Quick, "--out", plain]).Code);
        Assert.Equal(0, V2vCli.Run(["run", .. Quick, "--facilities", "1", "--out", one]).Code);

        Assert.Equal(Files(plain), Files(one));
        Assert.Equal(File.ReadAllBytes(Path.Combine(plain, "ledger.jsonl")), File.ReadAllBytes(Path.Combine(one, "ledger.jsonl")));
        Assert.Equal(File.ReadAllText(Path.Combine(plain, "config.json")), File.ReadAllText(Path.Combine(one, "config.json")));
        Assert.False(Directory.Exists(Path.Combine(one, "facilities")));
    }

    [Fact]
    public void Run_ThreeFacilities_EachFacilityIsTheOneFacilityRunOfItsConfigAndTheFolderVerifies()
    {
        var dir = Path.Combine(this.runs, "three");

        var (code, output, error) = V2vCli.Run(["run", .. Quick, "--facilities", "3", "--out", dir]);

        Assert.True(code == 0, error);
        Assert.Contains("3 facilities x N=6", output, StringComparison.Ordinal);
        string[] perFacility = ["agents.csv", "complete.json", "config.json", "ledger.jsonl", "steps.csv", "summary.json"];
        foreach (var id in new[] { "f000", "f001", "f002" })
        {
            Assert.Equal(perFacility, Files(Path.Combine(dir, "facilities", id)));
        }

        Assert.Equal(["complete.json", "config.json", "facilities", "summary.json"], Files(dir));

        // f000 is the plain run of the run seed; f002 is the plain run of its own config.json.
        var plain = Path.Combine(this.runs, "plain");
        Assert.Equal(0, V2vCli.Run(["run", .. Quick, "--out", plain]).Code);
        Assert.Equal(Ledger(plain), Ledger(Path.Combine(dir, "facilities", "f000")));
        var again = Path.Combine(this.runs, "f002-alone");
        Assert.Equal(0, V2vCli.Run("run", "--config", Path.Combine(dir, "facilities", "f002", "config.json"), "--quiet", "--out", again).Code);
        Assert.Equal(Ledger(again), Ledger(Path.Combine(dir, "facilities", "f002")));
        Assert.NotEqual(Ledger(plain), Ledger(again));

        // The run-level totals are the facilities' sums.
        using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
        var committed = new[] { "f000", "f001", "f002" }.Sum(id => TradesCommitted(Path.Combine(dir, "facilities", id, "summary.json")));
        Assert.Equal(committed, run.RootElement.GetProperty("tradesCommitted").GetInt64());
        Assert.Equal(3, run.RootElement.GetProperty("perFacility").GetArrayLength());
        Assert.Equal(48, run.RootElement.GetProperty("runtime").GetProperty("stepWallMs").GetProperty("steps").GetInt32());

        var verify = V2vCli.Run("verify", dir);
        Assert.Equal((0, $"{dir}: ok\n"), (verify.Code, verify.Out.ReplaceLineEndings("\n")));
    }

    [Fact]
    public void Verify_OneFacilitysLedgerCorrupted_FailsWithLinesNamingThatFacility()
    {
        var dir = Path.Combine(this.runs, "corrupt");
        Assert.Equal(0, V2vCli.Run(["run", .. Quick, "--facilities", "3", "--out", dir]).Code);
        var ledger = Path.Combine(dir, "facilities", "f001", "ledger.jsonl");
        var lines = File.ReadAllLines(ledger);
        var trade = Array.FindIndex(lines, l => l.StartsWith("{\"kind\":\"trade\"", StringComparison.Ordinal));
        lines[trade] = System.Text.RegularExpressions.Regex.Replace(lines[trade], "\"quantity\":[0-9.e-]+", "\"quantity\":99");
        File.WriteAllText(ledger, string.Concat(lines.Select(l => l + "\n")));

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        var findings = output.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.NotEmpty(findings);
        Assert.All(findings, f => Assert.StartsWith("  facility f001: ", f, StringComparison.Ordinal));
        Assert.Contains(findings, f => f.StartsWith($"  facility f001: line {trade + 1}: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_RunSummaryTotalChanged_IsAViolation()
    {
        var dir = Path.Combine(this.runs, "summary");
        Assert.Equal(0, V2vCli.Run(["run", .. Quick, "--facilities", "2", "--out", dir]).Code);
        var path = Path.Combine(dir, "summary.json");
        using (var doc = JsonDocument.Parse(File.ReadAllText(path)))
        {
            var n = doc.RootElement.GetProperty("tradesCommitted").GetInt64();
            File.WriteAllText(path, File.ReadAllText(path).Replace($"\"tradesCommitted\": {n},", $"\"tradesCommitted\": {n + 1},", StringComparison.Ordinal));
        }

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal(1, code);
        Assert.Contains("summary.json: \"tradesCommitted\" is a number ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_OneFacilityFails_ExitsOneNamingItAndEveryFolderIsMarkedIncomplete()
    {
        const int K = 2;
        var dir = Path.Combine(this.runs, "failed");
        var command = new RunCommand { Clearing = market => market.Seed == 8 ? ThrowingClearing.For(market, K) : V2V.Clearing.ClearingMechanisms.Create(market.Clearing.Mechanism, market.Clearing) };
        var output = new StringWriter();
        var error = new StringWriter();

        var code = command.Execute(Arguments.Parse("run", [.. Quick, "--facilities", "3", "--out", dir], command.Options, command.MaxPositional), output, error);

        Assert.Equal(1, code);
        Assert.Equal(
            $"v2v run: facility f000 failed at step {K}: InjectedFailureException: injected at step {K}; the run folder {dir} is marked incomplete\n",
            error.ToString().ReplaceLineEndings("\n"));
        Assert.True(File.Exists(Path.Combine(dir, "incomplete.json")));
        Assert.All(new[] { "f000", "f001", "f002" }, id => Assert.True(File.Exists(Path.Combine(dir, "facilities", id, "incomplete.json")), id));
        using var failed = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "facilities", "f000", "incomplete.json")));
        Assert.Equal("failed", failed.RootElement.GetProperty("reason").GetString());
        Assert.Equal(K, failed.RootElement.GetProperty("step").GetInt32());

        var verify = V2vCli.Run("verify", dir);
        Assert.Equal(1, verify.Code);
        Assert.StartsWith($"{dir}: incomplete (failed: facility f000 failed at step {K}", verify.Out, StringComparison.Ordinal);
        Assert.Contains("the closed steps of every facility verify", verify.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("1.5")]
    [InlineData("many")]
    [InlineData("10001")]
    public void Run_BadFacilities_ExitsTwoWithOneLineNamingTheOption(string value)
    {
        var dir = Path.Combine(this.runs, "bad");

        var (code, output, error) = V2vCli.Run(["run", .. Quick, "--facilities", value, "--out", dir]);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal($"v2v run: --facilities: expected a whole number in [1, 10000], got '{value}'\n", error.ReplaceLineEndings("\n"));
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Run_FacilitiesKeyOutOfRange_ExitsTwoNamingTheKey()
    {
        var (code, _, error) = V2vCli.Run(["run", .. Quick, "--set", "v2v.population.facilities=0", "--out", Path.Combine(this.runs, "key")]);

        Assert.Equal(2, code);
        Assert.Contains("v2v.population.facilities", error, StringComparison.Ordinal);
        Assert.Contains("expected a whole number >= 1, got 0", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    private static string[] Files(string dir) => [.. Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    private static byte[] Ledger(string dir) => File.ReadAllBytes(Path.Combine(dir, "ledger.jsonl"));

    private static long TradesCommitted(string summary)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(summary));
        return doc.RootElement.GetProperty("tradesCommitted").GetInt64();
    }
}
