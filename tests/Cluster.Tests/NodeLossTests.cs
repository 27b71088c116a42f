using System.Diagnostics;
using Akka.Configuration;
using V2V.Coordinator.Ledger;
using V2V.EndToEnd.Tests;
using V2V.Simulation;
using V2V.Simulation.Cluster;

namespace V2V.Cluster.Tests;

/// <summary>A member killed with SIGKILL in the middle of a run: its EVs are lost with it, the run goes on to the end.</summary>
public sealed class NodeLossTests
{
    // Detected and downed within seconds, not the production half-minute (the split-brain resolver keeps the majority);
    // a pause of 5 s, so a member starved of CPU on a loaded 2-core machine is not taken for lost.
    private static readonly string[] FastDowning =
    [
        "akka.cluster.failure-detector.heartbeat-interval=1s",
        "akka.cluster.failure-detector.acceptable-heartbeat-pause=5s",
        "akka.cluster.split-brain-resolver.stable-after=3s",
    ];

    [Fact]
    public void Run_AgentsMemberKilledMidRun_ItsEvsAreLostWithNodeAndTheRunCompletes()
    {
        var akka = ConfigurationFactory.ParseString(string.Join('\n', FastDowning));
        var seedPort = Loopback.FreePort();
        var seed = $"{Loopback.Host}:{seedPort}";
        using var survivor = Loopback.Member(seed, seedPort, akka, ClusterRoles.Agents);
        using var victim = StartNode(seed);
        try
        {
            RunAndKill(seed, survivor, victim, akka);
        }
        finally
        {
            if (!victim.HasExited)
            {
                victim.Kill();
            }
        }
    }

    private static void RunAndKill(string seed, Akka.Actor.ActorSystem survivor, Process victim, Config akka)
    {
        ClusterMembers.WaitForRole(survivor, ClusterRoles.Agents, 2, seed, TimeSpan.FromSeconds(60));

        // Three days, so the kill, which the progress poll makes every 250 ms of wall time, lands well inside the run
        // even when the steps are fast (with one day a poll could first see step 2 only once the run had ended).
        var (market, simulation) = Sim.Config("v2v.seed=5", "v2v.population.agents=30", "v2v.time.days=3");
        var ledger = new MemoryLedger();
        var run = new ClusterRun("loss", Loopback.Options(seed, 0, TimeSpan.FromSeconds(30), ClusterRoles.Market), AgentsMembers: 2);
        int killedAfter = -1;
        var result = SimulationRunner.Run(market, simulation, ledger, akka: akka, cluster: run, progress: (done, _) =>
        {
            if (done >= 2 && !victim.HasExited)
            {
                victim.Kill();
                killedAfter = done;
            }
        });

        Assert.True(result.Trace.Finished);
        Assert.True(killedAfter < market.Time.TotalSteps - 2, $"the member was killed only after step {killedAfter}, too late to test a loss");
        Assert.True(victim.HasExited);
        var departed = ledger.Entries.OfType<AgentDeparted>().ToList();
        var lost = departed.Where(d => d.Reason == "lost with node").ToList();
        Assert.NotEmpty(lost);
        Assert.All(lost, d => Assert.False(d.Reported));

        // Every EV that arrived left exactly once: as lost, or with its own report at the end of its stay.
        var arrived = ledger.Entries.OfType<AgentArrived>().Select(a => a.Agent).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(arrived, departed.Select(d => d.Agent).Order(StringComparer.Ordinal).ToList());
        Assert.Contains(departed, d => d.Reported && d.Step > lost.Min(l => l.Step));
    }

    private static Process StartNode(string seed)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])[Path.Combine(AppContext.BaseDirectory, "v2v.dll"), "node", "--seed", seed, "--roles", "agents", "--set", "v2v.cluster.shards=20"])
        {
            start.ArgumentList.Add(a);
        }

        foreach (var set in FastDowning)
        {
            start.ArgumentList.Add("--set");
            start.ArgumentList.Add(set);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
