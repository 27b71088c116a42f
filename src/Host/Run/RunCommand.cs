using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using V2V.Coordinator.Ledger;
using V2V.Host.Cli;
using V2V.Host.Configuration;
using V2V.Host.Simulation;
using V2V.Market.Configuration;

namespace V2V.Host.Run;

/// <summary>`v2v run`: one simulation on the actor runtime in virtual time, written to its own run folder.</summary>
public sealed class RunCommand : ICommand
{
    private static readonly IReadOnlyList<string> BuiltInPolicies = ["truthful", "markup"];

    public string Name => "run";

    public string Summary => "simulate the market on actors (default: 100 EVs, 30 days, truthful, Nash) into a run folder";

    public string Help => """
        usage: v2v run [--agents N] [--days D] [--seed S] [--mechanism M] [--policy P] [--config FILE] [--set K=V] [--out DIR]

        Runs the parking-lot market of SPEC.md on actors in virtual time: every EV an actor, the coordinator
        clearing each 30-minute step, latency and faults from v2v.simulation (off by default). Writes
        ledger.jsonl (step by step), steps.csv, agents.csv, summary.json and config.json to the run folder,
        then prints a summary table and the folder. Check the folder with 'v2v verify DIR'.
        Options win over --set, which wins over --config. Exit 0 ok, 2 bad options or configuration.
        """;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("agents", "N", "EVs parked at step 0 (default: v2v.simulation.run-agents = 100 unless the config sets v2v.population.agents)"),
        new("days", "D", "days to simulate, 16 steps each (default 30)"),
        new("seed", "S", "run seed (default 0)"),
        new("mechanism", "M", "clearing mechanism: nash | double-auction | greedy-average (default nash)"),
        new("policy", "P", "bidding policy: truthful | markup (default truthful)"),
        CommonOptions.Config,
        CommonOptions.Set,
        new("out", "DIR", "run folder to create (default runs/<timestamp>-seed<S>); must not hold a ledger yet"),
        new("quiet", null, "no progress bar"),
        CommonOptions.Help,
    ];

    public int MaxPositional => 0;

    public int Execute(Arguments args, TextWriter output, TextWriter error)
    {
        var sets = new List<string>(args.GetAll("set"));
        if (args.Has("agents"))
        {
            sets.Add($"v2v.population.agents={Arguments.ParseInt("agents", args.Get("agents")!, 1)}");
        }

        if (args.Has("days"))
        {
            sets.Add($"v2v.time.days={Arguments.ParseInt("days", args.Get("days")!, 1)}");
        }

        if (args.Has("seed"))
        {
            sets.Add($"v2v.seed={Arguments.ParseInt("seed", args.Get("seed")!, 0)}");
        }

        if (args.Get("mechanism") is { } mechanism)
        {
            sets.Add($"v2v.clearing.mechanism={OneOf("mechanism", mechanism, MarketConfigBinder.Mechanisms)}");
        }

        if (args.Get("policy") is { } policy)
        {
            sets.Add($"v2v.policy.kind={OneOf("policy", policy, BuiltInPolicies)}");
        }

        var config = ConfigLoader.Load(args.Get("config"), sets);

        // The run's N = 100 default applies only where nobody chose an N: not the options, --config nor --set.
        if (config.PositionOf("v2v.population.agents").File == ConfigLoader.ReferenceResourceName)
        {
            sets.Add($"v2v.population.agents={SimulationConfigBinder.RunAgents(config)}");
            config = ConfigLoader.Load(args.Get("config"), sets);
        }

        var market = MarketConfigBinder.Bind(config);
        var simulation = SimulationConfigBinder.Bind(config, market.Time);
        if (!BuiltInPolicies.Contains(market.Policy.Kind))
        {
            throw new UsageException($"v2v.policy.kind: '{market.Policy.Kind}' needs a trained model; 'v2v run' takes {string.Join(" | ", BuiltInPolicies)}");
        }

        var dir = args.Get("out") ?? Path.Combine("runs", $"{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-seed{market.Seed}");
        if (File.Exists(Path.Combine(dir, RunFolder.Ledger)))
        {
            throw new UsageException($"--out: {dir} already holds a run (ledger.jsonl); choose another folder");
        }

        Directory.CreateDirectory(dir);
        var clock = Stopwatch.StartNew();
        SimulationResult result;
        using (var ledger = new JsonLinesLedger(Path.Combine(dir, RunFolder.Ledger)))
        {
            result = RunWithProgress(market, simulation, ledger, error, quiet: args.Has("quiet"));
        }

        var metrics = new RunMetrics(LedgerJson.ReadFile(Path.Combine(dir, RunFolder.Ledger)), market, result.Trace.StepOpenedMs, result.IsSlow);
        RunFolder.WriteResults(dir, config, metrics, result, clock.Elapsed);
        SummaryTable.Write(output, market, metrics.Summary(), result, dir, clock.Elapsed);
        return 0;
    }

    private static string OneOf(string option, string value, IReadOnlyList<string> allowed) =>
        allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw new UsageException($"--{option}: expected one of {string.Join(" | ", allowed)}, got '{value}'");

    private static SimulationResult RunWithProgress(MarketConfig market, SimulationConfig simulation, ILedgerSink ledger, TextWriter error, bool quiet)
    {
        if (quiet)
        {
            return SimulationRunner.Run(market, simulation, ledger);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        SimulationResult? result = null;
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"{market.Population.Agents} EVs, {market.Time.Days} days", maxValue: market.Time.TotalSteps);
                result = SimulationRunner.Run(market, simulation, ledger, (done, _) => task.Value = done);
                task.Value = market.Time.TotalSteps;
            });
        return result!;
    }
}
