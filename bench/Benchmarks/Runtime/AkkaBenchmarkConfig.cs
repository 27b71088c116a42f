using Akka.Configuration;

namespace V2V.Benchmarks.Runtime;

internal static class AkkaBenchmarkConfig
{
    /// <summary>
    /// Akka's defaults (default dispatcher, no serialization of local messages) with only its INFO start-up and
    /// shutdown lines silenced, so that BenchmarkDotNet's output stays readable. Nothing here changes dispatch.
    /// </summary>
    public static Config Quiet { get; } = ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
}
