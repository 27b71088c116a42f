using V2V.Market.Configuration;

namespace V2V.Benchmarks.Clearing;

/// <summary>The clearing configuration the benchmarks run with.</summary>
internal static class BenchmarkClearingConfig
{
    /// <summary>
    /// The values of hocon/reference.conf's clearing block (eps 1e-3 AUD default, trades below 1e-6 kWh
    /// dropped, certified relative gap 1e-9, 200 iterations); the benchmark project does not reference the
    /// Host's HOCON loader, so they are restated here and must follow that file.
    /// </summary>
    public static ClearingConfig For(string mechanism) => new(
        Mechanism: mechanism,
        EpsilonAud: 1e-3,
        MinTradeKwh: 1e-6,
        SolverRelativeGap: 1e-9,
        SolverMaxIterations: 200);
}
