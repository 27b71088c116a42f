namespace V2V.Host.Tests.Verify;

/// <summary>
/// The order and arrival checks must not flag what the protocol allows: runs with latency, delayed and duplicated
/// messages (delays past a whole step), crashes, dropouts and silent EVs, on every mechanism, verify clean.
/// </summary>
public sealed class VerifyFaultRunsTests : IDisposable
{
    private static readonly string[] Faults =
    [
        "v2v.simulation.latency.model=lognormal", "v2v.simulation.latency.lognormal-median=2m", "v2v.simulation.latency.slow-fraction=0.3",
        "v2v.simulation.latency.slow-factor=4", "v2v.simulation.faults.crash=0.05", "v2v.simulation.faults.dropout=0.03",
        "v2v.simulation.faults.silent=0.05", "v2v.simulation.faults.message-drop=0.05", "v2v.simulation.faults.message-duplicate=0.05",
        "v2v.simulation.faults.message-delay=0.1", "v2v.simulation.faults.message-delay-max=40m",
    ];

    private readonly string root = Directory.CreateTempSubdirectory("v2v-verify-faults-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Theory]
    [InlineData("greedy-average", 1)]
    [InlineData("greedy-average", 2)]
    [InlineData("double-auction", 3)]
    [InlineData("nash", 4)]
    public void Verify_SeededFaultRun_Ok(string mechanism, int seed)
    {
        var dir = Path.Combine(root, $"{mechanism}-{seed}");
        var (runCode, _, error) = V2vCli.Run(
            ["run", "--agents", "14", "--days", "2", "--mechanism", mechanism, "--seed", $"{seed}", "--quiet", .. Faults.SelectMany(f => new[] { "--set", f }), "--out", dir]);
        Assert.True(runCode == 0, error);
        Assert.True(File.Exists(Path.Combine(dir, "complete.json")), "the run wrote no complete.json");

        var (code, output, _) = V2vCli.Run("verify", dir);

        Assert.Equal($"{dir}: ok\n", output.ReplaceLineEndings("\n"));
        Assert.Equal(0, code);
    }
}
