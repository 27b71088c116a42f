using BenchmarkDotNet.Attributes;
using V2V.Clearing;
using V2V.Market.Orders;

namespace V2V.Benchmarks.Clearing;

/// <summary>
/// Time to clear one step's book (SPEC 4) for every mechanism of the factory, at the market sizes of issue 2
/// (half buyers, 90 % of pairs feasible). Each invocation clears the next of a fixed set of seeded books, so
/// a result is the mean (and median) over those books rather than one lucky or unlucky draw.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ClearingBenchmarks
{
    private const int BookCount = 8;

    private IClearingMechanism mechanism = null!;
    private OrderBook[] books = [];
    private int next;

    public static IEnumerable<string> MechanismNames => ClearingMechanisms.Names;

    [ParamsSource(nameof(MechanismNames))]
    public string Mechanism { get; set; } = ClearingMechanisms.NashName;

    [Params(6, 10, 20, 50, 100, 200, 500)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        mechanism = ClearingMechanisms.Create(Mechanism, BenchmarkClearingConfig.For(Mechanism));
        books = new OrderBook[BookCount];
        for (var seed = 0; seed < BookCount; seed++)
        {
            books[seed] = BookGenerator.MostPairsFeasible(N, seed);
        }
    }

    [Benchmark]
    public int Clear()
    {
        var book = books[next];
        next = (next + 1) % BookCount;
        return mechanism.Clear(book).Trades.Count;
    }
}
