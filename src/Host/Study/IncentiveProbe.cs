using V2V.Clearing;
using V2V.Coordinator.Ledger;
using V2V.Market.Configuration;
using V2V.Market.Orders;

namespace V2V.Host.Study;

/// <summary>
/// The incentives experiment's measurement: one agent misreports while the others keep the orders their policy
/// sent. For every step's book of a run (the accepted orders of its ledger, in ledger order, as the coordinator
/// built it), every agent of the book in turn is the deviant: its price is replaced by its true value shaded by a
/// markup m (a buyer bids v (1 - m), a seller asks c (1 + m); m &lt; 0 over-reports), the book is cleared again
/// with the run's mechanism and the deviant's utility on true values is taken (buyer sum q (eta v - p), seller
/// sum q (p - c)). Its gain at m is that utility minus its utility when it reports truthfully (m = 0) against the
/// same other orders. This is the one-step test of incentive compatibility: what happens to the deviant's state in
/// later steps is not followed. As a check, the recorded book cleared again must give the ledger's trades.
/// </summary>
internal static class IncentiveProbe
{
    /// <summary>
    /// One run's probe: per markup the summed gain and the deviations that gained, in all and of buyers alone (the
    /// sellers' are the difference); the deviations tried (of buyers); and the re-clear check.
    /// </summary>
    internal sealed record Result(
        IReadOnlyList<double> Markups, double[] GainSumAud, int[] Positive, int Deviations, double[] BuyerGainSumAud, int BuyerDeviations,
        int Books, int BooksReproduced);

    private const double ReproduceToleranceKwh = 1e-9;

    public static Result Run(string runDir, string mechanism, ClearingConfig clearing, IReadOnlyList<double> markups)
    {
        var clearer = ClearingMechanisms.Create(mechanism, clearing);
        double efficiency = 1;
        var books = new SortedDictionary<int, (List<OrderAccepted> Orders, List<TradeCleared> Trades)>();
        foreach (var entry in LedgerJson.ReadFile(Path.Combine(runDir, V2V.Host.Run.RunFolder.Ledger)))
        {
            switch (entry)
            {
                case RunStarted r:
                    efficiency = r.Efficiency;
                    break;
                case OrderAccepted o:
                    Step(books, o.Step).Orders.Add(o);
                    break;
                case TradeCleared t:
                    Step(books, t.Step).Trades.Add(t);
                    break;
            }
        }

        var gains = new double[markups.Count];
        var positive = new int[markups.Count];
        var buyerGains = new double[markups.Count];
        int deviations = 0;
        int buyerDeviations = 0;
        int reproduced = 0;
        foreach (var (orders, trades) in books.Values)
        {
            if (Reproduces(clearer.Clear(Book(orders, -1, 0, clearing)).Trades, trades))
            {
                reproduced++;
            }

            for (int d = 0; d < orders.Count; d++)
            {
                double truthful = Utility(clearer.Clear(Book(orders, d, 0, clearing)).Trades, orders[d], efficiency);
                for (int k = 0; k < markups.Count; k++)
                {
                    double gain = Utility(clearer.Clear(Book(orders, d, markups[k], clearing)).Trades, orders[d], efficiency) - truthful;
                    gains[k] += gain;
                    positive[k] += gain > 1e-12 ? 1 : 0;
                    buyerGains[k] += orders[d].Side == "buyer" ? gain : 0;
                }

                deviations++;
                buyerDeviations += orders[d].Side == "buyer" ? 1 : 0;
            }
        }

        return new Result(markups, gains, positive, deviations, buyerGains, buyerDeviations, books.Count, reproduced);
    }

    private static (List<OrderAccepted> Orders, List<TradeCleared> Trades) Step(
        SortedDictionary<int, (List<OrderAccepted>, List<TradeCleared>)> books, int step)
    {
        if (!books.TryGetValue(step, out var book))
        {
            book = ([], []);
            books[step] = book;
        }

        return book;
    }

    // The book as recorded, with order `deviant` (if any) reporting its true value shaded by `markup`.
    private static OrderBook Book(IReadOnlyList<OrderAccepted> orders, int deviant, double markup, ClearingConfig clearing)
    {
        var bids = new List<Order>();
        var asks = new List<Order>();
        for (int i = 0; i < orders.Count; i++)
        {
            var o = orders[i];
            bool buyer = o.Side == "buyer";
            double price = i != deviant ? o.Price : Math.Max(0, o.TrueValue * (buyer ? 1 - markup : 1 + markup));
            (buyer ? bids : asks).Add(new Order(o.Agent, price, o.Quantity));
        }

        return new OrderBook(bids, asks, clearing.EpsilonAud);
    }

    private static double Utility(IReadOnlyList<Trade> trades, OrderAccepted agent, double efficiency)
    {
        double utility = 0;
        foreach (var t in trades)
        {
            if (t.BuyerId == agent.Agent)
            {
                utility += t.EnergyKwh * (efficiency * agent.TrueValue - t.PriceAudPerKwh);
            }
            else if (t.SellerId == agent.Agent)
            {
                utility += t.EnergyKwh * (t.PriceAudPerKwh - agent.TrueValue);
            }
        }

        return utility;
    }

    internal static bool Reproduces(IReadOnlyList<Trade> cleared, IReadOnlyList<TradeCleared> recorded) =>
        cleared.Count == recorded.Count && cleared.Zip(recorded).All(p =>
            p.First.BuyerId == p.Second.Buyer && p.First.SellerId == p.Second.Seller
            && Math.Abs(p.First.EnergyKwh - p.Second.Quantity) <= ReproduceToleranceKwh
            && Math.Abs(p.First.PriceAudPerKwh - p.Second.Price) <= ReproduceToleranceKwh);
}
