using V2V.Coordinator.Ledger;

namespace V2V.EndToEnd.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Simulation_FaultsOn_LedgerVerifies()
    {
        var (ledger, result) = Sim.Run(Sim.AllFaults(1));
        Assert.Empty(LedgerVerifier.Verify(ledger));
        Assert.True(result.Trace.Finished);
        Assert.Contains(ledger, e => e is TradeCommitted);
    }
}
