using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using V2V.Clearing;
using V2V.Market.Orders;

namespace V2V.Benchmarks.Clearing;

/// <summary>
/// Issue 22's sizes: Nash clearing of one book of 500 to 10,000 orders, two buyers per seller or balanced, 90 % of the
/// pairs feasible. A single book per case (seed 0): at these sizes one solve takes seconds to minutes, so run it with
/// <c>--job dry</c> (one launch, one invocation). Each case runs in its own process, whose peak working set (the
/// solver's peak memory plus the runtime's) is printed at the end of the case as a "// peak working set" line.
/// </summary>
[MemoryDiagnoser]
public class LargeBookClearingBenchmarks
{
    private IClearingMechanism mechanism = null!;
    private OrderBook book = null!;

    [Params(500, 1000, 2000, 5000, 10000)]
    public int N { get; set; }

    [Params(true, false)]
    public bool TwoBuyersPerSeller { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        mechanism = ClearingMechanisms.Create(ClearingMechanisms.NashName, BenchmarkClearingConfig.For(ClearingMechanisms.NashName));
        book = TwoBuyersPerSeller ? BookGenerator.TwoBuyersPerSeller(N, 0) : BookGenerator.MostPairsFeasible(N, 0);
    }

    [Benchmark]
    public bool Clear() => mechanism.Clear(book).Certificate!.Certified;

    [GlobalCleanup]
    public void Report()
    {
        using var process = Process.GetCurrentProcess();
        Console.WriteLine($"// peak working set {process.PeakWorkingSet64 / 1e6:F0} MB");
    }
}
