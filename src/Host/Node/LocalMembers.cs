using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace V2V.Host.Node;

/// <summary>
/// The `v2v node` processes `v2v run --nodes K` starts on this machine (the same executable), each with the roles market
/// and agents (EVs, and the facilities of a run of several),
/// joining the run's own member as their seed. Each one's standard input is held open by this process and closed on
/// <see cref="Dispose"/>, which is their stop (and if this process dies, its end of the pipe closes and they stop too).
/// </summary>
internal sealed class LocalMembers : IDisposable
{
    private static readonly TimeSpan StopPatience = TimeSpan.FromSeconds(20);
    private readonly List<Process> processes = [];

    private LocalMembers()
    {
    }

    /// <summary>Starts <paramref name="count"/> members joining <paramref name="seed"/>, with the run's --config and --set.</summary>
    public static LocalMembers Start(int count, string seed, string? configFile, IReadOnlyList<string> sets)
    {
        var members = new LocalMembers();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var start = Executable();
                foreach (var a in (string[])["node", "--seed", seed, "--roles", "market,agents", "--port", "0", "--" + NodeCommand.StdinLifetime])
                {
                    start.ArgumentList.Add(a);
                }

                if (configFile is not null)
                {
                    start.ArgumentList.Add("--config");
                    start.ArgumentList.Add(Path.GetFullPath(configFile));
                }

                foreach (var set in sets)
                {
                    start.ArgumentList.Add("--set");
                    start.ArgumentList.Add(set);
                }

                var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
                members.processes.Add(process);

                // Drained, so a member never blocks on a full pipe; what it prints is not ours to show.
                process.OutputDataReceived += (_, _) => { };
                process.ErrorDataReceived += (_, _) => { };
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
            }

            return members;
        }
        catch
        {
            members.Dispose();
            throw;
        }
    }

    /// <summary>A TCP port free on the loopback interface now, for the run's own member (the seed of the others).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        foreach (var p in processes)
        {
            try
            {
                p.StandardInput.Close();
            }
            catch (IOException)
            {
                // Already gone.
            }
        }

        foreach (var p in processes)
        {
            if (!p.WaitForExit(StopPatience))
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(StopPatience);
            }

            p.Dispose();
        }

        processes.Clear();
    }

    // This very program: the v2v apphost when that is what runs, else the dotnet host with v2v.dll (tests, `dotnet v2v.dll`).
    private static ProcessStartInfo Executable()
    {
        var self = Environment.ProcessPath;
        ProcessStartInfo start;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "v2v")
        {
            start = new ProcessStartInfo(self);
        }
        else
        {
            var dotnet = self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
            start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? dotnet);
            start.ArgumentList.Add(typeof(LocalMembers).Assembly.Location);
        }

        start.UseShellExecute = false;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        return start;
    }
}
