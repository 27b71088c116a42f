using System.Globalization;
using System.Runtime.InteropServices;
using V2V.Host.Cli;
using V2V.Host.Configuration;
using V2V.Simulation.Cluster;

namespace V2V.Host.Node;

/// <summary>`v2v node`: one cluster member, up until SIGINT or SIGTERM (docs/cluster.md).</summary>
public sealed class NodeCommand : ICommand
{
    public string Name => "node";

    public string Summary => "start a cluster member that hosts the EVs of runs started with 'v2v run --cluster'";

    public string Help => """
        usage: v2v node --seed HOST:PORT [--roles market,agents,learning] [--port P] [--host H] [--config FILE] [--set K=V]

        Starts a member of the cluster whose seed member listens at HOST:PORT and stays up until SIGINT or SIGTERM,
        then leaves the cluster. The first member is its own seed: give it a fixed --port and the same HOST:PORT as
        --seed. A member with the agents role hosts EVs of any run started against the cluster ('v2v run --cluster
        HOST:PORT'); runs keep their ledgers on the machine that started them. Prints one line once it has joined.
        A member that cannot join its seed within v2v.cluster.join-timeout (60 s) exits 1 with one line naming the
        seed. Exit 0 after SIGINT/SIGTERM, 1 when it could not join, 2 bad options or configuration.
        """;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("seed", "HOST:PORT", "the seed member to join (the first member: its own host and --port)"),
        new("roles", "R,R", "roles of this member: market, agents, learning (default v2v.cluster.roles = agents,learning)"),
        new("port", "P", "TCP port this member listens on (default v2v.cluster.port = 0, any free port)"),
        new("host", "H", "address this member listens on and is reached at (default v2v.cluster.host = 127.0.0.1)"),
        new(StdinLifetime, null, "also stop when standard input closes (how 'v2v run --nodes' stops the members it starts)"),
        CommonOptions.Config,
        CommonOptions.Set,
        CommonOptions.Help,
    ];

    /// <summary>The option that ties the member's life to its standard input.</summary>
    internal const string StdinLifetime = "stdin-lifetime";

    public int MaxPositional => 0;

    public int Execute(Arguments args, TextWriter output, TextWriter error)
    {
        var seed = ClusterSettings.ParseSeed("seed", args.Get("seed") ?? throw new UsageException("--seed: required: the HOST:PORT of a seed member"));
        var overrides = new List<OptionOverride>();
        if (args.Get("port") is { } port)
        {
            overrides.Add(new("port", Arguments.ParseInt("port", port, 0, 65535).ToString(CultureInfo.InvariantCulture), "v2v.cluster.port"));
        }

        if (args.Get("host") is { } host)
        {
            overrides.Add(new("host", host, "v2v.cluster.host", AsString: true));
        }

        var config = ConfigLoader.Load(args.Get("config"), args.GetAll("set"), overrides);
        var roles = args.Get("roles") is { } r ? ClusterSettings.ParseRoles("roles", r) : ClusterSettings.ConfiguredRoles(config);
        var options = ClusterSettings.Bind(config, seed, roles);

        // Never disposed: a signal handler may still be inside Cancel() while this method returns and the process ends.
        var stop = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => Stop(c, stop));
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Stop(c, stop));
        if (args.Has(StdinLifetime))
        {
            // The parent holds our standard input open for as long as it wants us up; end of input is the stop.
            new Thread(() =>
            {
                Console.In.ReadToEnd();
                stop.Cancel();
            }) { IsBackground = true, Name = "stdin-lifetime" }.Start();
        }

        try
        {
            ClusterNode.Run(options, config.ToAkkaConfig(), line =>
            {
                output.WriteLine($"v2v node: {line}");
                output.Flush();
            }, stop.Token);
        }
        catch (ClusterUnavailableException e)
        {
            error.WriteLine($"v2v node: {e.Message}");
            return 1;
        }

        return 0;
    }

    // SIGINT and SIGTERM are the member's normal end: it leaves the cluster, then exits 0.
    private static void Stop(PosixSignalContext context, CancellationTokenSource stop)
    {
        context.Cancel = true;
        stop.Cancel();
    }
}
