using V2V.Coordinator.Ledger;
using V2V.Host.Study;
using V2V.Market.Configuration;

namespace V2V.Host.Tests.Study;

public sealed class IncentiveProbeTests
{
    private static readonly ClearingConfig Clearing = new("double-auction", 0.001, 1e-6, 1e-9, 200);

    [Fact]
    public void Run_OneBuyerOneSellerDoubleAuction_GainsHandComputed()
    {
        // One buyer (v = 0.25) and one seller (c = 0.10), 5 kWh each, truthful: the double auction trades 5 kWh at
        // the midpoint 0.175. Buyer shading by m = 0.2 bids 0.2: price 0.15, gain 5 x 0.025 = 0.125. Seller shading
        // by 0.2 asks 0.12: price 0.185, gain 5 x 0.01 = 0.05. At m = -0.2 the buyer bids 0.3 (price 0.2, loss
        // 5 x 0.025) and the seller asks 0.08 (price 0.165, loss 5 x 0.01): -0.175 in all.
        string dir = Ledger(
            new OrderAccepted(0, "ev-000000", "buyer", 0.25, 5, 0.25, 0),
            new OrderAccepted(0, "ev-000001", "seller", 0.10, 5, 0.10, 0),
            new TradeCleared(0, 0, "ev-000000", "ev-000001", 0.175, 5));
        try
        {
            var result = IncentiveProbe.Run(dir, "double-auction", Clearing, [-0.2, 0, 0.2]);

            Assert.Equal(2, result.Deviations);
            Assert.Equal(1, result.Books);
            Assert.Equal(1, result.BooksReproduced);
            Assert.Equal(-0.175, result.GainSumAud[0], 12);
            Assert.Equal(0, result.GainSumAud[1], 12);
            Assert.Equal(0.175, result.GainSumAud[2], 12);
            Assert.Equal([0, 0, 2], result.Positive);
            Assert.Equal(1, result.BuyerDeviations);
            Assert.Equal(-0.125, result.BuyerGainSumAud[0], 12);
            Assert.Equal(0.125, result.BuyerGainSumAud[2], 12);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Run_LedgerTradeTheMechanismWouldNotMake_NotCountedAsReproduced()
    {
        string dir = Ledger(
            new OrderAccepted(0, "ev-000000", "buyer", 0.25, 5, 0.25, 0),
            new OrderAccepted(0, "ev-000001", "seller", 0.10, 5, 0.10, 0),
            new TradeCleared(0, 0, "ev-000000", "ev-000001", 0.2, 5));
        try
        {
            Assert.Equal(0, IncentiveProbe.Run(dir, "double-auction", Clearing, [0.1]).BooksReproduced);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Ledger(params LedgerEntry[] entries)
    {
        string dir = Directory.CreateTempSubdirectory("v2v-probe-").FullName;
        var header = new RunStarted(0, 0, "double-auction", "truthful", 2, 1, 75, 1);
        File.WriteAllLines(Path.Combine(dir, "ledger.jsonl"), [LedgerJson.Serialize(header), .. entries.Select(LedgerJson.Serialize)]);
        return dir;
    }
}
