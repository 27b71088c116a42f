using System.Text;
using V2V.Coordinator.Ledger;
using V2V.Coordinator.Recovery;
using V2V.Coordinator.Tests.Session;
using V2V.Market.Configuration;
using V2V.Simulation;

namespace V2V.Coordinator.Tests.Recovery;

/// <summary>
/// A coordinator that restarts over a ledger file it cannot resume from stops the run: the failure names the step and
/// the cause, nothing more is written, and the market never starts again from step 0.
/// </summary>
public sealed class CoordinatorResumeFailureTests : IDisposable
{
    private const int K = 5;
    private readonly string dir = Directory.CreateTempSubdirectory("v2v-resume-").FullName;

    private static readonly MarketConfig Market = SessionFixture.Config with { Seed = 4, Population = new PopulationConfig(8, 8, 4, 12) };

    [Fact]
    public void SimulationRunner_RestartOverALedgerFileCutOffMidRecord_FailsNamingTheStepAndTheLineNothingMoreWritten()
    {
        var path = Path.Combine(dir, "ledger.jsonl");
        var undisturbed = new MemoryLedger();
        SimulationRunner.Run(Market, Simulation(), undisturbed);
        var prefix = undisturbed.Entries.FindIndex(e => e is StepClosed { Step: K - 1 }) + 1;
        const string Torn = "{\"kind\":\"arrival\",\"agent\":\"ev-0";

        SimulationFailedException failure;
        using (var ledger = new DamagedLedger(path, Torn))
        {
            failure = Assert.Throws<SimulationFailedException>(() => SimulationRunner.Run(Market, Simulation(K), ledger));
        }

        Assert.Equal(K, failure.Step);
        Assert.Equal("the market", failure.Failed);
        Assert.IsType<LedgerResumeException>(failure.InnerException);
        Assert.Equal($"the market failed at step {K}: LedgerResumeException: cannot resume before step {K} from the ledger: line {prefix + 1} is cut off mid-record", failure.Message);

        // The undisturbed run's ledger up to the close of step K - 1, the torn record, and nothing after it.
        var expected = string.Concat(undisturbed.Entries.Take(prefix).Select(e => LedgerJson.Serialize(e) + "\n")) + Torn;
        Assert.Equal(expected, File.ReadAllText(path));
    }

    [Fact]
    public void SimulationRunner_RestartOverACorruptLedgerLine_FailsNamingTheStepAndTheLine()
    {
        var path = Path.Combine(dir, "ledger.jsonl");

        SimulationFailedException failure;
        using (var ledger = new DamagedLedger(path, "{\"kind\":\"commit\",\"trade\":\"seven\",\"step\":4}\n"))
        {
            failure = Assert.Throws<SimulationFailedException>(() => SimulationRunner.Run(Market, Simulation(K), ledger));
        }

        Assert.Equal(K, failure.Step);
        Assert.Contains($"cannot resume before step {K} from the ledger: line ", failure.Message, StringComparison.Ordinal);
        Assert.EndsWith(": commit entry: \"trade\" is a string \"seven\", expected a whole number", failure.Message, StringComparison.Ordinal);
        var steps = LedgerFile.Read(path).Entries.Select(e => e.Entry).OfType<StepClosed>().Select(s => s.Step);
        Assert.Equal(Enumerable.Range(0, K), steps);
    }

    // The reference protocol, no latency and no faults, and a coordinator restart before each of restartBefore.
    private static SimulationConfig Simulation(params int[] restartBefore) => new(
        new ProtocolConfig(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30)),
        new LatencyConfig("none", TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, 1, 0, 10),
        new FaultConfig(0, 0, 0, 0, 0, 0, TimeSpan.Zero) { CoordinatorRestartSteps = restartBefore });

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>A ledger file that someone else damages (appends <paramref name="damage"/> to) just before it is read back.</summary>
    private sealed class DamagedLedger(string path, string damage) : ILedgerSink, IDisposable
    {
        private readonly JsonLinesLedger file = new(path);

        public void Append(LedgerEntry entry) => file.Append(entry);

        public void Flush() => file.Flush();

        public LedgerFile ReadBack()
        {
            file.Flush();
            using (var other = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
                other.Write(Encoding.UTF8.GetBytes(damage));
            }

            return file.ReadBack();
        }

        public void Dispose() => file.Dispose();
    }
}
