using V2V.Coordinator.Ledger;
using V2V.Host.Cli;

namespace V2V.Cluster.Tests;

/// <summary>
/// Real processes: three `v2v node` members, a `v2v run --cluster` over them, one member killed with SIGKILL while the
/// run is under way (a loss nobody scheduled). The run completes, the EVs of the dead member are in the ledger as lost
/// with it, and `v2v verify` passes on the folder. Nothing here asserts a duration: the wall clock only bounds waits.
/// </summary>
public sealed class ProcessNodeLossTests : IDisposable
{
    // Generous for a loaded 2-core machine: a member missing heartbeats for 10 s is unreachable, and the split-brain
    // resolver (keep-majority) downs it after 5 s more of a stable view; the run's barrier waits that long.
    private static readonly string[] Downing =
    [
        "akka.cluster.failure-detector.heartbeat-interval=1s",
        "akka.cluster.failure-detector.acceptable-heartbeat-pause=10s",
        "akka.cluster.split-brain-resolver.stable-after=5s",
        "v2v.cluster.join-timeout=120s",
        "v2v.cluster.shards=30",
    ];

    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    private readonly string dir = Directory.CreateTempSubdirectory("v2v-sigkill-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task RunOverThreeNodeProcesses_OneKilledWithSigkill_CompletesWithItsEvsLostAndVerifies()
    {
        var seedPort = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{seedPort}";
        using var first = Node(seed, seedPort);
        using var second = Node(seed, 0);
        using var victim = Node(seed, 0);
        var folder = Path.Combine(dir, "run");
        using var run = V2vProcess.Start(
        [
            "run", "--cluster", seed, "--agents", "30", "--days", "2", "--seed", "9", "--quiet", "--out", folder,
            "--set", "v2v.cluster.agents-members=3", .. Sets(Downing),
        ]);

        // Killed once the ledger holds a step past the first (its file is written in 4 kB blocks as the run goes).
        var ledger = Path.Combine(folder, "ledger.jsonl");
        var deadline = DateTime.UtcNow + Patience;
        while (!run.Process.HasExited && LastStepWritten(ledger) < 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "the run wrote no step within the patience: " + run.Output);
            await Task.Delay(100);
        }

        var killedWhileRunning = !run.Process.HasExited;
        victim.KillNow();
        using var bound = new CancellationTokenSource(Patience);
        await run.Process.WaitForExitAsync(bound.Token);

        var outputs = $"\nrun: {run.Output}\nfirst: {first.Output}\nsecond: {second.Output}\nvictim: {victim.Output}";
        Assert.True(killedWhileRunning, "the run ended before the member could be killed" + outputs);
        Assert.True(run.Process.ExitCode == 0, $"v2v run exited {run.Process.ExitCode}{outputs}");
        var entries = LedgerJson.ReadFile(ledger).ToList();
        var departed = entries.OfType<AgentDeparted>().ToList();
        var lost = departed.Where(d => d.Reason == "lost with node").ToList();
        Assert.NotEmpty(lost);
        Assert.All(lost, d => Assert.False(d.Reported));

        // Every EV that arrived left exactly once (lost, dropped or at the end of its stay), and EVs still traded after.
        Assert.Equal(
            entries.OfType<AgentArrived>().Select(a => a.Agent).Order(StringComparer.Ordinal),
            departed.Select(d => d.Agent).Order(StringComparer.Ordinal));
        Assert.Contains(entries.OfType<TradeCommitted>(), t => t.Step > lost.Max(l => l.Step));

        var verifyOut = new StringWriter();
        var verifyError = new StringWriter();
        Assert.True(CommandLine.Run(["verify", folder], verifyOut, verifyError) == 0, verifyOut + "\n" + verifyError);

        await Task.WhenAll(first.StopAsync(TimeSpan.FromSeconds(30)), second.StopAsync(TimeSpan.FromSeconds(30)));
    }

    private static V2vProcess Node(string seed, int port)
    {
        var node = V2vProcess.Start(
            ["node", "--seed", seed, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--roles", "agents", "--stdin-lifetime", .. Sets(Downing)]);
        return node;
    }

    private static IEnumerable<string> Sets(IEnumerable<string> sets) => sets.SelectMany(s => new[] { "--set", s });

    // The highest step of the complete lines written so far; -1 before the first block reaches the file.
    private static int LastStepWritten(string ledger)
    {
        if (!File.Exists(ledger))
        {
            return -1;
        }

        string text;
        using (var stream = new FileStream(ledger, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var reader = new StreamReader(stream))
        {
            text = reader.ReadToEnd();
        }

        var complete = text.LastIndexOf('\n');
        var step = -1;
        foreach (var line in text[..(complete + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (LedgerJson.Deserialize(line, 0) is { } entry && entry.Step > step)
            {
                step = entry.Step;
            }
        }

        return step;
    }
}
