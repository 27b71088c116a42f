using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using V2V.Coordinator.Ledger;
using V2V.Host.Cli;
using V2V.Host.Configuration;
using V2V.Host.Simulation;
using V2V.Learning;
using V2V.Learning.Networks;
using V2V.Market.Configuration;

namespace V2V.Host.Run;

/// <summary>`v2v run`: one simulation on the actor runtime in virtual time, written to its own run folder.</summary>
public sealed class RunCommand : ICommand
{
    private const string Learned = "learned";

    public string Name => "run";

    public string Summary => "simulate the market on actors (default: 100 EVs, 30 days, truthful, Nash) into a run folder";

    public string Help => """
        usage: v2v run [--agents N] [--days D] [--seed S] [--mechanism M] [--policy P] [--model DIR] [--config FILE] [--set K=V] [--out DIR]

        Runs the parking-lot market of SPEC.md on actors in virtual time: every EV an actor, the coordinator
        clearing each 30-minute step, latency and faults from v2v.simulation (off by default). Writes
        ledger.jsonl (step by step), steps.csv, agents.csv, summary.json and config.json to the run folder,
        then prints a summary table and the folder. Check the folder with 'v2v verify DIR'.
        --policy learned --model DIR bids with a model trained by 'v2v train' (DIR is its output folder, whose
        model.v2vnn is read, or a .v2vnn file such as a checkpoint); one model serves any N. The model is
        published to the EVs as policy version 1 before step 0. config.json holds the path (v2v.policy.model),
        summary.json the file, its SHA-256 and its training method, seed and episodes. A missing or unusable
        model, --policy learned without --model, or --model with another policy writes nothing and exits 2.
        Options win over --set, which wins over --config. Exit 0 ok, 2 bad options, configuration or model.
        """;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("agents", "N", "EVs parked at step 0 (default: v2v.simulation.run-agents = 100 unless the config sets v2v.population.agents)"),
        new("days", "D", "days to simulate, 16 steps each (default 30)"),
        new("seed", "S", "run seed (default 0)"),
        new("mechanism", "M", "clearing mechanism: nash | double-auction | greedy-average (default nash)"),
        new("policy", "P", "bidding policy: truthful | markup | learned (default truthful)"),
        new("model", "DIR", "with --policy learned: a 'v2v train' output folder or .v2vnn file (sets v2v.policy.model)"),
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
            sets.Add($"v2v.policy.kind={OneOf("policy", policy, MarketConfigBinder.PolicyKinds)}");
        }

        if (args.Get("model") is { } modelPath)
        {
            // Quoted as a JSON string, which HOCON reads as is: a path may hold '//', ':', '#' or spaces.
            sets.Add($"v2v.policy.model={JsonSerializer.Serialize(modelPath)}");
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

        // Loaded before the run folder exists, so a bad model leaves nothing behind.
        var model = LoadModel(args, config, market.Policy.Kind);
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
            result = RunWithProgress(market, simulation, ledger, model, error, quiet: args.Has("quiet"));
        }

        var metrics = new RunMetrics(LedgerJson.ReadFile(Path.Combine(dir, RunFolder.Ledger)), market, result.Trace.StepOpenedMs, result.IsSlow);
        RunFolder.WriteResults(dir, config, metrics, result, clock.Elapsed, model);
        SummaryTable.Write(output, market, metrics.Summary(), result, dir, clock.Elapsed, model);
        return 0;
    }

    /// <summary>
    /// The trained model of a learned run, or null for the built-in policies. Errors name --model when the model came
    /// from the command line, the key v2v.policy.model (with its file and line) when it came from the configuration.
    /// </summary>
    private static PolicyModel? LoadModel(Arguments args, Config config, string kind)
    {
        const string Key = "v2v.policy.model";
        string path = config.GetString(Key);
        bool fromOption = args.Has("model");
        if (kind != Learned)
        {
            if (path.Length == 0)
            {
                return null;
            }

            throw fromOption
                ? new UsageException($"--model: only read by --policy learned; the policy is '{kind}'")
                : config.Error(Key, $"is set, but v2v.policy.kind is '{kind}'; a model is only read by the learned policy");
        }

        if (path.Length == 0)
        {
            throw args.Get("policy") == Learned
                ? new UsageException("--model: --policy learned needs a trained model: --model DIR (a 'v2v train' output folder or a .v2vnn file)")
                : config.Error(Key, "v2v.policy.kind is 'learned', which needs a trained model here (a 'v2v train' output folder or a .v2vnn file), or --model DIR");
        }

        try
        {
            return PolicyModel.Load(path);
        }
        catch (ModelFileException e)
        {
            throw new UsageException($"{(fromOption ? "--model" : Key)}: {e.Message}");
        }
    }

    private static string OneOf(string option, string value, IReadOnlyList<string> allowed) =>
        allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw new UsageException($"--{option}: expected one of {string.Join(" | ", allowed)}, got '{value}'");

    private static SimulationResult RunWithProgress(
        MarketConfig market, SimulationConfig simulation, ILedgerSink ledger, PolicyModel? model, TextWriter error, bool quiet)
    {
        if (quiet)
        {
            return SimulationRunner.Run(market, simulation, ledger, model: model);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        SimulationResult? result = null;
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"{market.Population.Agents} EVs, {market.Time.Days} days", maxValue: market.Time.TotalSteps);
                result = SimulationRunner.Run(market, simulation, ledger, (done, _) => task.Value = done, model: model);
                task.Value = market.Time.TotalSteps;
            });
        return result!;
    }
}
