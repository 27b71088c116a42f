using V2V.Coordinator.Ledger;

namespace V2V.EndToEnd.Tests;

/// <summary>
/// Issue 3: many short seeded runs with latency and every fault kind on, each ledger passing the verifier. The
/// count is FAULT_RUNS (default 1,000, about 6 s); scripts/fault-runs.sh does the same through `v2v run` and `v2v verify`.
/// </summary>
public sealed class FaultRunTests
{
    [Fact]
    public void Simulation_ManySeededFaultRuns_EveryLedgerVerifies()
    {
        var runs = int.TryParse(Environment.GetEnvironmentVariable("FAULT_RUNS"), out var n) ? n : 1000;
        var failures = new List<string>();
        var faultKinds = new HashSet<string>();
        for (var seed = 0; seed < runs; seed++)
        {
            var (ledger, result) = Sim.Run(Sim.AllFaults(seed, agents: 8 + (seed % 9), days: 1));
            foreach (var v in LedgerVerifier.Verify(ledger))
            {
                failures.Add($"seed {seed}: {v}");
            }

            if (!result.Trace.Finished)
            {
                failures.Add($"seed {seed}: did not finish");
            }

            faultKinds.UnionWith(ledger.OfType<FaultInjected>().Select(f => f.Fault));
        }

        Assert.Empty(failures);
        Assert.Superset(
            new HashSet<string> { "crash", "silent", "dropout-on-open", "dropout-after-order", "dropout-after-clearing" },
            faultKinds);
    }

    [Fact]
    public void Simulation_HeavyMessageLoss_StillSettlesEveryTradeExactlyOnce()
    {
        var sets = Sim.AllFaults(seed: 5, agents: 40, days: 3).Concat(["v2v.simulation.faults.message-drop=0.5"]).ToArray();
        var (ledger, result) = Sim.Run(sets);

        Assert.Empty(LedgerVerifier.Verify(ledger));
        Assert.True(result.Trace.CommitsResent > 0);
        Assert.True(result.MessagesDropped > 0);
    }
}
