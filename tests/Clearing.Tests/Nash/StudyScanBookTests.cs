using System.Text.Json;
using V2V.Clearing.Nash;
using V2V.Market.Orders;
using static V2V.Clearing.Tests.Contract.ContractBooks;

namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// The 14 books the study-grid scan (scripts/study-scan.sh, 2026-12-07) left uncertified: Learning Only bids under Nash
/// clearing at N = 75 and 100, 36..78 bids x 11..28 asks, many bids at or within 1e-8 of 0.28 AUD/kWh, asks of 1e-6 ..
/// 5.5 kWh. The interior point method converged on each (complementarity ~1e-14) with certified gaps of 1.0e-9 .. 6.2e-8:
/// its quantities were short of the optimum, and the exact finishes ran only on books of at most 200 pairs. Each book is
/// taken from its run's ledger (the orders of that step), in Data/study-scan-uncertified.json with its run and step.
/// </summary>
public sealed class StudyScanBookTests
{
    public static TheoryData<int> Books()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Load().Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Books))]
    public void NashBargaining_BookTheStudyScanLeftUncertified_CertifiedAndSoundByAnIndependentBound(int index)
    {
        var (name, book) = Load()[index];
        var config = Config(ClearingMechanisms.NashName);

        var result = new NashBargaining(config).Clear(book);

        Assert.True(result.Certificate!.Certified, $"{name}: {result.Certificate}");
        var independent = NashBookChecks.AssertSound(book, result, config);
        Assert.True(independent <= config.SolverRelativeGap, $"{name}: independent gap {independent:E2}");
    }

    [Fact]
    public void NashBargaining_WorstBookOfTheScan_FinishedByActiveSetNewtonOnAMidSizedBook()
    {
        // Step 43 of learning-only-under-nash-n100-s0: 62 bids x 26 asks, 598 tradable pairs (above the 200 of the small
        // books' exact finishes), 6.2e-8 after 16 interior point iterations before.
        var (name, book) = Load()[0];
        var config = Config(ClearingMechanisms.NashName);
        var problem = NashProblem.Build(book, config.MinTradeKwh);

        var result = new NashBargaining(config).Clear(book);

        Assert.True(problem.EdgeCount > LogBarrierSolver.MaxEdges, $"{name}: {problem.EdgeCount} pairs");
        Assert.Equal(ClearingMethod.ActiveSetNewton, result.Certificate!.Method);
        Assert.True(result.Certificate.RelativeGap <= 1e-15, $"{name}: {result.Certificate}");
    }

    private static List<(string Name, OrderBook Book)> Load()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Nash", "Data", "study-scan-uncertified.json")));
        var books = new List<(string, OrderBook)>();
        foreach (var entry in json.RootElement.EnumerateArray())
        {
            static List<Order> Side(JsonElement orders) =>
                orders.EnumerateArray().Select(o => new Order(o.GetProperty("id").GetString()!, o.GetProperty("price").GetDouble(), o.GetProperty("quantity").GetDouble())).ToList();

            var name = $"{entry.GetProperty("run").GetString()} step {entry.GetProperty("step").GetInt32()}";
            books.Add((name, new OrderBook(Side(entry.GetProperty("buyers")), Side(entry.GetProperty("sellers")), entry.GetProperty("epsilon").GetDouble())));
        }

        return books;
    }
}
