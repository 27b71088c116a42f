using System.Diagnostics;
using System.Text.Json;
using V2V.Coordinator.Ledger;

namespace V2V.EndToEnd.Tests;

/// <summary>
/// SIGINT and SIGTERM sent to a real `v2v run` process: the run stops at the end of its open step, the ledger closes
/// every step it holds, the folder is marked incomplete, and the exit code is 128 + the signal number.
/// </summary>
public sealed class SignalTests : IDisposable
{
    // Far more steps than the run gets through before the signal: the test never races the run's end.
    private const int Days = 365;
    private const int TotalSteps = Days * 16;
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);
    private readonly string runs = Directory.CreateTempSubdirectory("v2v-signal-").FullName;

    public void Dispose() => Directory.Delete(this.runs, recursive: true);

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task V2vRun_SignalWhileRunning_StopsAtAStepBoundaryAndMarksTheFolderIncomplete(string signal, int exitCode)
    {
        var dir = Path.Combine(this.runs, signal);
        var ledgerPath = Path.Combine(dir, "ledger.jsonl");
        using var run = StartV2v("run", "--agents", "30", "--days", $"{Days}", "--mechanism", "greedy-average", "--seed", "1", "--quiet", "--out", dir);
        var stderr = run.StandardError.ReadToEndAsync();
        var stdout = run.StandardOutput.ReadToEndAsync();
        try
        {
            AssertSignalNotIgnored(run.Id, signal);
            var clock = Stopwatch.StartNew();
            var exited = run.WaitForExitAsync();
            while (ClosedStepLines(ledgerPath) < 3)
            {
                Assert.True(clock.Elapsed < Deadline, "the run wrote no 3 closed steps in time");
                Assert.NotSame(exited, await Task.WhenAny(exited, Task.Delay(50)));
            }

            using (var kill = Process.Start("kill", ["-s", signal, $"{run.Id}"]))
            {
                await kill.WaitForExitAsync();
                Assert.Equal(0, kill.ExitCode);
            }

            using var timeout = new CancellationTokenSource(Deadline);
            await run.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!run.HasExited)
            {
                run.Kill(entireProcessTree: true);
            }
        }

        Assert.Equal(exitCode, run.ExitCode);
        Assert.Equal("", await stdout);
        var error = await stderr;
        using var marker = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "incomplete.json")));
        var step = marker.RootElement.GetProperty("step").GetInt32();
        Assert.Equal(
            $"v2v run: interrupted by SIG{signal} after {step} of {TotalSteps} steps; the run folder {dir} is marked incomplete",
            error.TrimEnd('\n'));
        Assert.Equal("incomplete", marker.RootElement.GetProperty("status").GetString());
        Assert.Equal("interrupted", marker.RootElement.GetProperty("reason").GetString());
        Assert.Equal($"SIG{signal} received; steps 0-{step - 1} closed", marker.RootElement.GetProperty("cause").GetString());
        Assert.InRange(step, 3, TotalSteps - 1);
        Assert.True(File.Exists(Path.Combine(dir, "config.json")));
        Assert.False(File.Exists(Path.Combine(dir, "complete.json")));

        // Every line whole, one header, steps 0..step-1 closed in order, and nothing after the last close.
        var ledger = LedgerJson.ReadFile(ledgerPath).ToList();
        Assert.Single(ledger.OfType<RunStarted>());
        Assert.Equal(Enumerable.Range(0, step), ledger.OfType<StepClosed>().Select(s => s.Step));
        Assert.Equal(step - 1, Assert.IsType<StepClosed>(ledger[^1]).Step);
    }

    private static Process StartV2v(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "v2v.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        return Process.Start(start)!;
    }

    private static int ClosedStepLines(string ledger)
    {
        if (!File.Exists(ledger))
        {
            return 0;
        }

        using var reader = new StreamReader(new FileStream(ledger, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        var n = 0;
        while (reader.ReadLine() is { } line)
        {
            n += line.Contains("\"kind\":\"step\"", StringComparison.Ordinal) ? 1 : 0;
        }

        return n;
    }

    // A signal ignored when the process started stays ignored (as for any program started in the background by a
    // non-interactive shell); the test would then wait in vain, so it says so instead.
    private static void AssertSignalNotIgnored(int pid, string signal)
    {
        var number = signal == "INT" ? 2 : 15;
        var ignored = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        if (ignored is not null)
        {
            var mask = Convert.ToUInt64(ignored["SigIgn:".Length..].Trim(), 16);
            Assert.True((mask & (1UL << (number - 1))) == 0, $"SIG{signal} is ignored by the test's child process (inherited); run the tests from a foreground shell");
        }
    }
}
