using System.Collections.Concurrent;
using System.Diagnostics;

namespace V2V.Cluster.Tests;

/// <summary>
/// The built `v2v` as a real OS process (the dotnet host with v2v.dll from the test's output folder): its output lines
/// kept, its standard input held open (a `v2v node --stdin-lifetime` stops when it closes), killed on dispose if alive.
/// </summary>
internal sealed class V2vProcess : IDisposable
{
    private readonly ConcurrentQueue<string> lines = new();
    private readonly TaskCompletionSource<string> firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private V2vProcess(Process process) => Process = process;

    public Process Process { get; }

    /// <summary>Every line it wrote so far, standard output and error together.</summary>
    public string Output => string.Join('\n', lines);

    /// <summary>Completes with its first line on standard output (a `v2v node` prints one once it has joined).</summary>
    public Task<string> FirstLine => firstLine.Task;

    public static V2vProcess Start(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "v2v.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        var v2v = new V2vProcess(Process.Start(start)!);
        v2v.Process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                v2v.lines.Enqueue(line);
                v2v.firstLine.TrySetResult(line);
            }
        };
        v2v.Process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                v2v.lines.Enqueue(line);
            }
        };
        v2v.Process.BeginOutputReadLine();
        v2v.Process.BeginErrorReadLine();
        return v2v;
    }

    /// <summary>SIGKILL: the process dies at once, without leaving the cluster.</summary>
    public void KillNow() => Process.Kill(entireProcessTree: false);

    /// <summary>Closes its standard input (a `v2v node --stdin-lifetime` leaves and stops) and waits for it to exit.</summary>
    public async Task StopAsync(TimeSpan patience)
    {
        if (!Process.HasExited)
        {
            Process.StandardInput.Close();
            using var bound = new CancellationTokenSource(patience);
            try
            {
                await Process.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                // Dispose kills it.
            }
        }
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        Process.Dispose();
    }
}
