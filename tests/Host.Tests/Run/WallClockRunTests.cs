using System.Text.Json;
using V2V.Coordinator.Ledger;

namespace V2V.Host.Tests.Run;

/// <summary>
/// `v2v run --clock wall --step-ms M`: the options, their one-line errors, and whole runs on real timers that
/// `v2v verify` accepts. Nothing here asserts on timing: what is late on the wall clock depends on the machine, except
/// an order whose network delay alone is longer than its bid window, which is late on any machine.
/// </summary>
public sealed class WallClockRunTests : IDisposable
{
    private readonly string runs = Directory.CreateTempSubdirectory("v2v-wall-clock-").FullName;

    public void Dispose() => Directory.Delete(this.runs, recursive: true);

    [Fact]
    public void Run_ClockWallStep50OneDay_CompletesSaysItIsNotReproducibleAndVerifies()
    {
        var dir = Path.Combine(this.runs, "wall");

        var (code, output, error) = V2vCli.Run("run", "--clock", "wall", "--step-ms", "50", "--days", "1", "--quiet", "--out", dir);

        Assert.True(code == 0, error);
        Assert.Contains("clock:      wall, 50 ms per step (not reproducible", output, StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
        var runtime = summary.RootElement.GetProperty("runtime");
        Assert.Equal(("wall", 50, false),
            (runtime.GetProperty("clock").GetString(), runtime.GetProperty("stepWallMs").GetInt32(), runtime.GetProperty("reproducible").GetBoolean()));
        Assert.Contains("\"clock\": \"wall\"", File.ReadAllText(Path.Combine(dir, "config.json")), StringComparison.Ordinal);
        var verified = V2vCli.Run("verify", dir);
        Assert.True(verified.Code == 0, verified.Out);
    }

    [Fact]
    public void Run_ClockWallWithLatencyLongerThanTheWindowAndFaults_HasLateOrdersAndVerifies()
    {
        var dir = Path.Combine(this.runs, "faults");
        string[] sets =
        [
            // Each message is up to 20 simulated minutes in the network: about half take longer than the 10-minute bid window.
            "v2v.simulation.latency.model=uniform", "v2v.simulation.latency.uniform-max=20m",
            "v2v.simulation.faults.crash=0.05", "v2v.simulation.faults.dropout=0.05", "v2v.simulation.faults.silent=0.05",
            "v2v.simulation.faults.message-drop=0.05", "v2v.simulation.faults.message-duplicate=0.05", "v2v.simulation.faults.message-delay=0.05",
        ];

        var (code, _, error) = V2vCli.Run(["run", "--clock", "wall", "--step-ms", "60", "--days", "1", "--agents", "20", "--seed", "3", "--quiet",
            .. sets.SelectMany(s => new[] { "--set", s }), "--out", dir]);

        Assert.True(code == 0, error);
        var ledger = LedgerJson.ReadFile(Path.Combine(dir, "ledger.jsonl")).ToList();
        Assert.Contains(ledger.OfType<OrderRejected>(), r => r.Reason == "late");
        Assert.NotEmpty(ledger.OfType<FaultInjected>());
        var verified = V2vCli.Run("verify", dir);
        Assert.True(verified.Code == 0, verified.Out);
    }

    [Theory]
    [InlineData("--clock bogus", "v2v run: --clock: expected one of simulated | wall, got 'bogus'")]
    [InlineData("--step-ms 50", "v2v run: --step-ms: sets the length of a wall-clock step; add --clock wall (the clock is simulated)")]
    [InlineData("--clock simulated --step-ms 50", "v2v run: --step-ms: sets the length of a wall-clock step; add --clock wall (the clock is simulated)")]
    [InlineData("--clock wall --step-ms 0", "v2v run: --step-ms: expected a whole number in [1, 2147483647], got '0'")]
    [InlineData("--clock wall --step-ms 20",
        "v2v run: --step-ms 20: v2v.simulation.wall-step-ms: 20 ms per step leaves the bid-window (00:10:00) 6.67 ms of wall time, "
        + "less than one scheduler tick (akka.scheduler.tick-duration = 10 ms); expected at least 30")]
    [InlineData("--set v2v.simulation.clock=sundial",
        "v2v run: --set 'v2v.simulation.clock=sundial':1:22: v2v.simulation.clock: expected one of simulated|wall, got \"sundial\"")]
    public void Run_BadClockOptions_ExitTwoWithOneLineAndWriteNothing(string options, string expected)
    {
        var dir = Path.Combine(this.runs, "never");

        var (code, output, error) = V2vCli.Run(["run", .. options.Split(' '), "--quiet", "--out", dir]);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal(expected + "\n", error.ReplaceLineEndings("\n"));
        Assert.False(Directory.Exists(dir));
    }

    [Theory]
    [InlineData("run", "--clock wall --step-ms 100 --set v2v.simulation.faults.coordinator-restart-steps=[3]",
        "v2v.simulation.faults.coordinator-restart-steps: coordinator restarts are planned in simulated time only, not with the wall clock")]
    [InlineData("train", "--method learning-only --backend simulation --episodes 1 --set v2v.simulation.clock=wall",
        "v2v.simulation.clock: training runs in simulated time only; the wall clock is for `v2v run`")]
    public void Command_WallClockWithWhatNeedsSimulatedTime_ExitTwoNamingTheKeyAndWritesNothing(string command, string options, string expected)
    {
        var dir = Path.Combine(this.runs, "never");

        var (code, _, error) = V2vCli.Run([command, .. options.Split(' '), "--out", dir]);

        Assert.Equal(2, code);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.EndsWith(expected, error.TrimEnd(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir));
    }
}
