using System.Text.Json;
using V2V.Coordinator.Ledger;

namespace V2V.Cluster.Tests;

/// <summary>
/// Wall-clock mode on a cluster (`v2v run --clock wall --step-ms M --nodes K`): the coordinator's timers on the run's
/// member, EVs on another process. Nothing here asserts on timing or on which orders are late (that is the machine's);
/// the run must complete, close every step once, say it is not reproducible, and pass `v2v verify`.
/// </summary>
public sealed class WallClockOnClusterTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("v2v-cluster-wall-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Run_ClockWallOnTwoNodes_ClosesEveryStepOnceAndVerifies()
    {
        var folder = Path.Combine(dir, "wall");

        var (code, _, error) = CommandTests.V2v(
            "run", "--clock", "wall", "--step-ms", "200", "--agents", "20", "--days", "1", "--seed", "4", "--nodes", "2", "--quiet", "--out", folder);

        Assert.True(code == 0, error);
        Assert.True(File.Exists(Path.Combine(folder, "complete.json")));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")));
        var runtime = summary.RootElement.GetProperty("runtime");
        Assert.Equal(("wall", false), (runtime.GetProperty("clock").GetString(), runtime.GetProperty("reproducible").GetBoolean()));
        var steps = LedgerJson.ReadFile(Path.Combine(folder, "ledger.jsonl")).OfType<StepClosed>().Select(s => s.Step).ToList();
        Assert.NotEmpty(steps);
        Assert.Equal(Enumerable.Range(0, steps.Count), steps);
        var verified = CommandTests.V2v("verify", folder);
        Assert.True(verified.Code == 0, verified.Out + verified.Err);
    }
}
