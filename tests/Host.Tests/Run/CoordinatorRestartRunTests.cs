using System.Text;
using System.Text.Json;
using V2V.Clearing;
using V2V.Host.Cli;
using V2V.Host.Configuration;
using V2V.Host.Run;
using V2V.Market.Configuration;
using V2V.Market.Orders;

namespace V2V.Host.Tests.Run;

/// <summary>
/// `v2v run` with planned coordinator restarts: the run folder's ledger is the undisturbed run's, byte for byte, and
/// summary.json counts the restarts; a ledger the coordinator cannot resume from fails the run with exit 1, one line
/// naming the step and the cause, and an incomplete folder; bad restart steps are bad input (exit 2).
/// </summary>
public sealed class CoordinatorRestartRunTests : IDisposable
{
    private static readonly string[] Faulty =
    [
        "--agents", "10", "--days", "1", "--mechanism", "greedy-average", "--seed", "6", "--quiet",
        "--set", "v2v.simulation.latency.model=lognormal", "--set", "v2v.simulation.faults.crash=0.05",
        "--set", "v2v.simulation.faults.dropout=0.03", "--set", "v2v.simulation.faults.message-drop=0.05",
        "--set", "v2v.simulation.faults.message-duplicate=0.05", "--set", "v2v.simulation.faults.message-delay=0.05",
    ];

    private readonly string runs = Directory.CreateTempSubdirectory("v2v-restart-run-").FullName;

    public void Dispose() => Directory.Delete(runs, recursive: true);

    [Fact]
    public void Run_CoordinatorRestarts_LedgerFileByteIdenticalToTheUndisturbedRunAndSummaryCountsThem()
    {
        var plain = Path.Combine(runs, "plain");
        var restarted = Path.Combine(runs, "restarted");

        var (code1, _, error1) = Execute(new RunCommand(), [.. Faulty, "--out", plain]);
        var (code2, _, error2) = Execute(new RunCommand(), [.. Faulty, "--out", restarted, "--set", "v2v.simulation.faults.coordinator-restart-steps=[1,4,5,9,16]"]);

        Assert.True(code1 == 0, error1);
        Assert.True(code2 == 0, error2);
        Assert.Equal(File.ReadAllBytes(Path.Combine(plain, RunFolder.Ledger)), File.ReadAllBytes(Path.Combine(restarted, RunFolder.Ledger)));
        using var a = JsonDocument.Parse(File.ReadAllText(Path.Combine(plain, "summary.json")));
        using var b = JsonDocument.Parse(File.ReadAllText(Path.Combine(restarted, "summary.json")));
        Assert.Equal(0, a.RootElement.GetProperty("runtime").GetProperty("coordinatorRestarts").GetInt32());
        Assert.Equal(5, b.RootElement.GetProperty("runtime").GetProperty("coordinatorRestarts").GetInt32());
        Assert.Equal(Results(a), Results(b));
        Assert.True(File.Exists(Path.Combine(restarted, "complete.json")));
    }

    [Fact]
    public void Run_LedgerFileCutOffMidRecordBeforeARestart_ExitsOneNamingTheStepAndTheLineFolderIncomplete()
    {
        const int K = 6;
        var dir = Path.Combine(runs, "torn");
        var ledger = Path.Combine(dir, RunFolder.Ledger);

        // While step K - 1 clears, the ledger file is replaced by a copy of itself cut off in the middle of a record.
        var command = new RunCommand { Clearing = market => new Tearing(market, K - 1, ledger) };
        var (code, output, error) = Execute(command, [.. Faulty, "--out", dir, "--set", $"v2v.simulation.faults.coordinator-restart-steps=[{K}]"]);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        var lines = File.ReadAllLines(ledger).Length;
        var cause = $"the market failed at step {K}: LedgerResumeException: cannot resume before step {K} from the ledger: line {lines} is cut off mid-record";
        Assert.Equal($"v2v run: {cause}; the run folder {dir} is marked incomplete\n", error.ReplaceLineEndings("\n"));
        using var marker = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "incomplete.json")));
        Assert.Equal("failed", marker.RootElement.GetProperty("reason").GetString());
        Assert.Equal(K, marker.RootElement.GetProperty("step").GetInt32());
        Assert.Equal(cause, marker.RootElement.GetProperty("cause").GetString());
        Assert.False(File.Exists(Path.Combine(dir, "complete.json")));
    }

    [Theory]
    [InlineData("[0]", "expected steps in [1, 16], got 0")]
    [InlineData("[3,17]", "expected steps in [1, 16], got 17")]
    public void Run_RestartStepOutsideTheRun_ExitsTwoNamingTheKey(string steps, string detail)
    {
        var (code, _, error) = V2vCli.Run("run", "--days", "1", "--quiet", "--out", Path.Combine(runs, "bad"), "--set", $"v2v.simulation.faults.coordinator-restart-steps={steps}");

        Assert.Equal(2, code);
        Assert.Contains("v2v.simulation.faults.coordinator-restart-steps", error, StringComparison.Ordinal);
        Assert.Contains(detail, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Bind_RestartProbabilityAndSteps_Bind()
    {
        var config = ConfigLoader.Load(null, ["v2v.time.days=1", "v2v.simulation.faults.coordinator-restart=0.25", "v2v.simulation.faults.coordinator-restart-steps=[2, 16]"]);

        var faults = SimulationConfigBinder.Bind(config, MarketConfigBinder.Bind(config).Time).Faults;

        Assert.Equal(0.25, faults.CoordinatorRestartProbability);
        Assert.Equal([2, 16], faults.CoordinatorRestartSteps);
    }

    // Everything summary.json says about the market (all but the runtime: message counts and wall time).
    private static List<string> Results(JsonDocument summary) =>
        [.. summary.RootElement.EnumerateObject().Where(p => p.Name != "runtime").Select(p => $"{p.Name}={p.Value.GetRawText()}")];

    private static (int Code, string Out, string Err) Execute(RunCommand command, string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = command.Execute(Arguments.Parse(command.Name, args, command.Options, command.MaxPositional), output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The configured mechanism; while it clears step <c>at</c>, the ledger file is swapped for a torn copy.</summary>
    private sealed class Tearing(MarketConfig market, int at, string ledger) : IClearingMechanism
    {
        private readonly IClearingMechanism inner = ClearingMechanisms.Create(market.Clearing.Mechanism, market.Clearing);
        private int calls;

        public string Name => inner.Name;

        public ClearingResult Clear(OrderBook book)
        {
            if (calls++ == at)
            {
                var written = File.ReadAllBytes(ledger);
                File.Move(ledger, ledger + ".moved");
                File.WriteAllBytes(ledger, [.. written, .. Encoding.UTF8.GetBytes("{\"kind\":\"order\",\"agent\":\"ev-00")]);
            }

            return inner.Clear(book);
        }
    }
}
