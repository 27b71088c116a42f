using V2V.Benchmarks.Clearing;
using V2V.Clearing;
using V2V.Clearing.Nash;
using V2V.Market.Orders;
using static V2V.Clearing.Tests.Contract.ContractBooks;

namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// The per-thread arrays that consecutive Nash clearings of same-shape books share (<see cref="NashScratch"/>): a book
/// must clear exactly as it would on a fresh thread, whatever was cleared before it, and a result must not change when
/// the next book reuses the arrays.
/// </summary>
public sealed class NashScratchTests
{
    private static readonly IClearingMechanism Nash = new NashBargaining(Config(ClearingMechanisms.NashName));

    [Fact]
    public void NashBargaining_SameShapeBooksInTurn_ClearAsOnAFreshThread()
    {
        // Every pair of the first book is feasible, only most of the second's: anything left of the first book's gains
        // would give the second book pairs it does not have.
        var first = BookGenerator.AllPairsFeasible(100, 4);
        var second = BookGenerator.MostPairsFeasible(100, 5);
        var fresh = OnFreshThread(second);

        var a = Nash.Clear(first);
        var kept = a.Trades.ToArray();
        var b = Nash.Clear(second);
        var again = Nash.Clear(first);

        AssertSame(fresh, b);
        AssertSame(a, again);

        // Clearing the later books reused the arrays behind the first result; its trades are values and stay as they were.
        Assert.Equal(kept, a.Trades);
        Assert.NotEqual(a.Trades, b.Trades);
    }

    [Fact]
    public void NashBargaining_BooksOfOtherShapesInBetween_ClearAsOnAFreshThread()
    {
        var book = BookGenerator.SimulationLike(60, 2);
        var fresh = OnFreshThread(book);
        Nash.Clear(BookGenerator.MostPairsFeasible(20, 1));
        var first = Nash.Clear(book);
        Nash.Clear(BookGenerator.MostPairsFeasible(61, 3));
        var second = Nash.Clear(book);

        AssertSame(fresh, first);
        AssertSame(fresh, second);
    }

    [Fact]
    public void Zeroed_SameLength_ReusesTheArrayCleared_OtherLength_AllocatesAnother()
    {
        double[]? slot = null;
        var a = NashScratch.Zeroed(ref slot, 4);
        a[2] = 7;
        var b = NashScratch.Zeroed(ref slot, 4);
        Assert.Same(a, b);
        Assert.Equal(new double[4], b);

        var c = NashScratch.Zeroed(ref slot, 5);
        Assert.NotSame(a, c);
        Assert.Equal(5, c.Length);
        Assert.Same(c, slot);
    }

    private static ClearingResult OnFreshThread(OrderBook book)
    {
        ClearingResult? result = null;
        var thread = new Thread(() => result = Nash.Clear(book));
        thread.Start();
        thread.Join();
        return result!;
    }

    private static void AssertSame(ClearingResult expected, ClearingResult actual)
    {
        Assert.Equal(expected.Trades, actual.Trades);
        Assert.Equal(expected.Certificate, actual.Certificate);
    }
}
