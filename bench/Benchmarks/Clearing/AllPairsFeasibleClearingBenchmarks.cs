using BenchmarkDotNet.Attributes;
using V2V.Clearing;
using V2V.Market.Orders;

namespace V2V.Benchmarks.Clearing;

/// <summary>
/// The target case of issue 2: N = 100 with every pair feasible (the densest Nash program, 50 x 50 edges),
/// where the Nash solver should take about a millisecond on one core. Same rotation over seeded books as
/// <see cref="ClearingBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class AllPairsFeasibleClearingBenchmarks
{
    private const int BookCount = 8;

    private IClearingMechanism mechanism = null!;
    private OrderBook[] books = [];
    private int next;

    public static IEnumerable<string> MechanismNames => ClearingMechanisms.Names;

    [ParamsSource(nameof(MechanismNames))]
    public string Mechanism { get; set; } = ClearingMechanisms.NashName;

    [Params(100)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        mechanism = ClearingMechanisms.Create(Mechanism, BenchmarkClearingConfig.For(Mechanism));
        books = new OrderBook[BookCount];
        for (var seed = 0; seed < BookCount; seed++)
        {
            books[seed] = BookGenerator.AllPairsFeasible(N, seed);
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
