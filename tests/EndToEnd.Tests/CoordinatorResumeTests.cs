using FsCheck;
using FsCheck.Fluent;
using V2V.Coordinator.Ledger;
using V2V.Simulation;

namespace V2V.EndToEnd.Tests;

/// <summary>
/// A coordinator that restarts at step boundaries resumes from its ledger: the run writes the ledger an undisturbed run
/// writes, byte for byte, with latency and every fault kind on.
/// </summary>
public sealed class CoordinatorResumeTests
{
    [Theory]
    [InlineData(3, "greedy-average", "truthful")]
    [InlineData(11, "nash", "markup")]
    [InlineData(29, "double-auction", "markup")]
    public void Simulation_CoordinatorRestartsAtDrawnBoundaries_LedgerByteIdenticalToTheUndisturbedRun(int seed, string mechanism, string policy)
    {
        string[] sets = [.. Sim.AllFaults(seed, agents: 14), $"v2v.clearing.mechanism={mechanism}", $"v2v.policy.kind={policy}"];
        var (undisturbed, plain) = Sim.Run(sets);
        var (resumed, result) = Sim.Run([.. sets, "v2v.simulation.faults.coordinator-restart=0.4"]);

        Assert.Equal(Lines(undisturbed), Lines(resumed));
        Assert.Equal(plain.Trace.StepOpenedMs, result.Trace.StepOpenedMs);
        Assert.Equal(0, plain.Trace.CoordinatorRestarts);

        // P = 0.4 at 16 boundaries: no restart at all has probability 0.6^16 < 3e-4; the draw is seeded, so this is fixed.
        Assert.InRange(result.Trace.CoordinatorRestarts, 1, 16);

        // The faults really happened around the restarts, or the equality would prove little.
        Assert.Contains(resumed, e => e is FaultInjected);
        Assert.Contains(resumed, e => e is TradeCommitted);
    }

    [Fact]
    public void Simulation_CoordinatorRestartsBeforeEveryStepAndTheEnd_LedgerByteIdenticalToTheUndisturbedRun()
    {
        var sets = Sim.AllFaults(seed: 8, agents: 12);
        var every = string.Join(",", Enumerable.Range(1, 16));
        var (undisturbed, _) = Sim.Run(sets);
        var (resumed, result) = Sim.Run([.. sets, $"v2v.simulation.faults.coordinator-restart-steps=[{every}]"]);

        var a = Lines(undisturbed);
        var b = Lines(resumed);
        var at = a.Zip(b).TakeWhile(p => p.First == p.Second).Count();
        Assert.True(at == a.Count && a.Count == b.Count, $"line {at + 1}: {(at < a.Count ? a[at] : "end")} vs {(at < b.Count ? b[at] : "end")}");
        Assert.Equal(16, result.Trace.CoordinatorRestarts);
        Assert.True(result.Trace.Finished);
    }

    [Fact]
    public void Simulation_AnySeedAndRestartSteps_LedgerByteIdenticalToTheUndisturbedRun()
    {
        var cases = Gen.Choose(0, 10_000).Zip(Gen.SubListOf(Enumerable.Range(1, 16).ToArray()));
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var sets = Sim.AllFaults(c.Item1, agents: 8);
            var steps = string.Join(",", c.Item2);
            var (undisturbed, _) = Sim.Run(sets);
            var (resumed, result) = Sim.Run([.. sets, $"v2v.simulation.faults.coordinator-restart-steps=[{steps}]"]);
            return Lines(undisturbed).SequenceEqual(Lines(resumed)) && result.Trace.CoordinatorRestarts == c.Item2.Count;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(8));
    }

    private static List<string> Lines(List<LedgerEntry> ledger) => ledger.Select(LedgerJson.Serialize).ToList();
}
