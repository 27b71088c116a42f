using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using V2V.Agents.Policies;
using V2V.Clearing;
using V2V.Coordinator.Ledger;
using V2V.Host.Cli;
using V2V.Host.Configuration;
using V2V.Host.Node;
using V2V.Host.Output;
using V2V.Learning;
using V2V.Learning.Networks;
using V2V.Market.Configuration;
using V2V.Market.Network;
using V2V.Simulation;
using V2V.Simulation.Cluster;
using V2V.Simulation.Facilities;

namespace V2V.Host.Run;

/// <summary>`v2v run`: one simulation on the actor runtime in virtual time, written to its own run folder.</summary>
public sealed class RunCommand : ICommand
{

    public string Name => "run";

    public string Summary => "simulate the market on actors (default: 100 EVs, 30 days, truthful, Nash) into a run folder";

    public string Help => """
        usage: v2v run [--agents N] [--facilities F] [--days D] [--seed S] [--mechanism M] [--policy P] [--model DIR] [--config FILE] [--set K=V] [--out DIR]
                       [--cluster HOST:PORT | --nodes K] [--clock simulated|wall] [--step-ms M]

        Runs the parking-lot market of docs/model.md on actors in virtual time: every EV an actor, the coordinator
        clearing each 30-minute step, latency and faults from v2v.simulation (off by default). Writes
        config.json first, ledger.jsonl step by step, then steps.csv, agents.csv, summary.json and last
        complete.json to the run folder, then prints a summary table and the folder. Check the folder with
        'v2v verify DIR'. A run that fails, or that SIGINT/SIGTERM stops at the end of its open step, gets
        incomplete.json (the reason, the step, the cause) instead of the results.
        --policy learned --model DIR bids with a model trained by 'v2v train' (DIR is its output folder, whose
        model.v2vnn is read, or a .v2vnn file such as a checkpoint); one model serves any N. The model is
        published to the EVs as policy version 1 before step 0. config.json holds the path (v2v.policy.model),
        summary.json the file, its SHA-256 and its training method, seed and episodes. A missing or unusable
        model, --policy learned without --model, or --model with another policy writes nothing and exits 2.
        --facilities F runs F independent markets (f000, f001, ...) at once, N EVs each, every one with its own
        seed derived from the run seed (f000 keeps the run seed: F = 1 is the plain run), arrivals and ledger: the
        folder gets facilities/fNNN/ (each a run folder of its own) and a run-level summary.json over them.
        Options win over --set, which wins over --config.
        --cluster HOST:PORT runs the EVs on the members of a running cluster ('v2v node'), --nodes K on K-1 local
        member processes this run starts and stops; the coordinator and the files stay here (with --facilities F > 1
        the coordinators are spread over the members with the market role, the files still here), and each ledger
        is the one of the same run in one process (docs/cluster.md). The run waits at most v2v.cluster.join-timeout (60 s)
        for v2v.cluster.agents-members members with the agents role (with --nodes: K-1), else exits 1 naming the seed.
        Checked before anything is written (exit 2, one line naming the option or key): every option and key in
        its range (days x steps-per-day must fit a run's step count), no unknown key under v2v (a typo names the
        nearest known key), --out a folder that can be written and holds no run yet (not a file, not /dev/null),
        and the estimated memory of the run (from N and days) within the memory available to this process.
        The progress bar goes to stderr only when stderr is a terminal; redirected, the run prints no progress.
        config.json is written first; complete.json last, when every step ran and every file is written. A run
        that fails or is stopped writes incomplete.json (reason, step, cause) instead.
        --clock wall --step-ms M runs on the wall clock: a step lasts M real ms, the bid and settlement windows are
        real timers of their share of it, latencies real delays, and an answer that arrives after its window is late
        (docs/cli.md). Not reproducible by design; v2v verify still holds. --step-ms needs --clock wall, and M must
        leave each window at least one scheduler tick.
        Exit 0 ok, 1 the run failed (one line naming the step and the cause), 2 bad options, configuration or
        model, 130 stopped by SIGINT, 143 stopped by SIGTERM (the open step is finished first).
        """;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("agents", "N", "EVs parked at step 0 (default: v2v.simulation.run-agents = 100 unless the config sets v2v.population.agents)"),
        new("facilities", "F", $"independent facilities, N EVs each, run in parallel (default 1, at most {FacilityPlan.MaxFacilities}; sets v2v.population.facilities)"),
        new("days", "D", "days to simulate, 16 steps each (default 30)"),
        new("seed", "S", "run seed (default 0)"),
        new("mechanism", "M", "clearing mechanism: nash | double-auction | greedy-average (default nash)"),
        new("policy", "P", "bidding policy: truthful | markup | learned (default truthful)"),
        new("model", "DIR", "with --policy learned: a 'v2v train' output folder or .v2vnn file (sets v2v.policy.model)"),
        CommonOptions.Config,
        CommonOptions.Set,
        new("out", "DIR", "run folder to create (default runs/<timestamp>-seed<S>); must not hold a ledger yet"),
        new("quiet", null, "no progress bar (it is drawn only when stderr is a terminal)"),
        new("clock", "C", "simulated (default, reproducible) | wall: steps on real timers (sets v2v.simulation.clock)"),
        new("step-ms", "M", "with --clock wall: real ms one step lasts (default 1000; sets v2v.simulation.wall-step-ms)"),
        .. RunOnCluster.Options,
        CommonOptions.Help,
    ];

    public int MaxPositional => 0;

    public int Execute(Arguments args, TextWriter output, TextWriter error)
    {
        IReadOnlyList<string> sets = args.GetAll("set");
        var options = new List<OptionOverride>();
        if (args.Get("agents") is { } agents)
        {
            options.Add(new("agents", Arguments.ParseInt("agents", agents, 1).ToString(CultureInfo.InvariantCulture), "v2v.population.agents"));
        }

        if (args.Get("facilities") is { } facilityCount)
        {
            options.Add(new("facilities", Arguments.ParseInt("facilities", facilityCount, 1, FacilityPlan.MaxFacilities).ToString(CultureInfo.InvariantCulture), "v2v.population.facilities"));
        }

        if (args.Get("days") is { } days)
        {
            options.Add(new("days", Arguments.ParseInt("days", days, 1).ToString(CultureInfo.InvariantCulture), "v2v.time.days"));
        }

        if (args.Get("seed") is { } seed)
        {
            options.Add(new("seed", Arguments.ParseInt("seed", seed, 0).ToString(CultureInfo.InvariantCulture), "v2v.seed"));
        }

        if (args.Get("mechanism") is { } mechanism)
        {
            options.Add(new("mechanism", OneOf("mechanism", mechanism, MarketConfigBinder.Mechanisms), "v2v.clearing.mechanism"));
        }

        if (args.Get("policy") is { } policy)
        {
            options.Add(new("policy", OneOf("policy", policy, MarketConfigBinder.PolicyKinds), "v2v.policy.kind"));
        }

        if (args.Get("model") is { } modelPath)
        {
            // Kept a string as typed: a path may hold '//', ':', '#' or spaces, or spell a number.
            options.Add(new("model", modelPath, "v2v.policy.model", AsString: true));
        }

        if (args.Get("clock") is { } clockName)
        {
            options.Add(new("clock", OneOf("clock", clockName, WallClock.Names), "v2v.simulation.clock"));
        }

        if (args.Get("step-ms") is { } stepWallMs)
        {
            options.Add(new("step-ms", Arguments.ParseInt("step-ms", stepWallMs, 1).ToString(CultureInfo.InvariantCulture), "v2v.simulation.wall-step-ms"));
        }

        var config = ConfigLoader.Load(args.Get("config"), sets, options);

        // The run's N = 100 default applies only where nobody chose an N: not the options, --config nor --set.
        if (config.PositionOf("v2v.population.agents").File == ConfigLoader.ReferenceResourceName)
        {
            sets = [.. sets, $"v2v.population.agents={SimulationConfigBinder.RunAgents(config)}"];
            config = ConfigLoader.Load(args.Get("config"), sets, options);
        }

        var market = MarketConfigBinder.Bind(config);
        var simulation = SimulationConfigBinder.Bind(config, market.Time);
        simulation = simulation with { Clock = ClockConfigBinder.Bind(config, market.Time, simulation.Protocol) };
        if (args.Has("step-ms") && simulation.Clock is null)
        {
            throw new UsageException("--step-ms: sets the length of a wall-clock step; add --clock wall (the clock is simulated)");
        }

        // A coordinator resumes from its ledger in simulated time; on the wall clock its timers would not resume.
        if (simulation.Clock is not null && simulation.Faults.CoordinatorRestartKey is { } key)
        {
            throw config.Error($"v2v.simulation.faults.{key}", "coordinator restarts are planned in simulated time only, not with the wall clock");
        }

        var facilities = MarketConfigBinder.Facilities(config);
        var dir = args.Get("out") ?? Path.Combine("runs", $"{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-seed{market.Seed}");
        OutputFolder.Check("out", dir);
        if (File.Exists(Path.Combine(dir, RunFolder.Ledger)) || Directory.Exists(Path.Combine(dir, FacilityPlan.Folder)))
        {
            throw new UsageException($"--out: {dir} already holds a run (ledger.jsonl); choose another folder");
        }

        MemoryEstimate.Require(
            MemoryEstimate.RunBytes(market, facilities), MemoryEstimate.AvailableBytes(),
            $"{(facilities > 1 ? $"{facilities} facilities x " : "")}{market.Population.Agents} EVs for {market.Time.Days} days with {market.Clearing.Mechanism} clearing",
            facilities > 1 ? "lower --facilities, --agents or --days" : "lower --agents or --days");

        // Loaded before the run folder exists, so a bad model leaves nothing behind.
        var model = LoadModel(args, config, market.Policy.Kind);
        using var cluster = RunOnCluster.Plan(args, config, market.Seed);
        OutputFolder.Create("out", dir);
        RunFolder.WriteConfig(dir, config);
        using var signals = new StopSignals();
        if (facilities > 1)
        {
            var job = new FacilitiesJob(dir, market, simulation, FacilityPlan.For(market, facilities), config.ToAkkaConfig(), model,
                args.Has("quiet") || !ProgressDisplay.CanDraw(error), Clearing) { Cluster = cluster.Run };
            return FacilitiesRun.Execute(job, output, error, signals);
        }

        var clock = Stopwatch.StartNew();
        SimulationResult result;
        try
        {
            // Disposed (flushed and closed) before any marker is written.
            using var ledger = new JsonLinesLedger(Path.Combine(dir, RunFolder.Ledger));
            result = RunWithProgress(market, simulation, config.ToAkkaConfig(), ledger, model, error, args.Has("quiet") || !ProgressDisplay.CanDraw(error), signals.Token, cluster.Run);
        }
        catch (SimulationFailedException e)
        {
            RunFolder.WriteIncomplete(dir, IncompleteReason.Failed, e.Step, e.Message);
            error.WriteLine($"v2v run: {e.Message}; the run folder {dir} is marked incomplete");
            return 1;
        }
        catch (Exception e) when (FailureMessage.AkkaSettingProblem(Name, e) is { } refused)
        {
            // The actor system refused a setting of the akka section before step 0: the user's input, exit 2.
            RunFolder.WriteIncomplete(dir, IncompleteReason.Failed, 0, refused);
            error.WriteLine($"{refused}; the run folder {dir} is marked incomplete");
            return 2;
        }
        catch (ClusterUnavailableException e)
        {
            RunFolder.WriteIncomplete(dir, IncompleteReason.Failed, 0, e.Message);
            error.WriteLine($"v2v run: {e.Message}; the run folder {dir} is marked incomplete");
            return 1;
        }
        catch (SimulationInterruptedException e)
        {
            RunFolder.WriteIncomplete(dir, IncompleteReason.Interrupted, e.Step, $"{signals.Name} received; steps 0-{e.Step - 1} closed");
            error.WriteLine(
                $"v2v run: interrupted by {signals.Name} after {e.Step} of {market.Time.TotalSteps} steps; the run folder {dir} is marked incomplete");
            return signals.ExitCode;
        }

        RunMetrics metrics;
        try
        {
            metrics = new RunMetrics(LedgerJson.ReadFile(Path.Combine(dir, RunFolder.Ledger)), market, result.Trace.StepOpenedMs, result.IsSlow);
            RunFolder.WriteResults(dir, metrics, result, clock.Elapsed, model, simulation.Clock);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            // Every step ran, but the folder lacks its results: it must not pass for a complete run.
            var cause = $"writing the results failed after all {result.Trace.StepsClosed} steps: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";
            RunFolder.WriteIncomplete(dir, IncompleteReason.Failed, result.Trace.StepsClosed, cause);
            error.WriteLine($"v2v run: {cause}; the run folder {dir} is marked incomplete");
            return 1;
        }

        SummaryTable.Write(output, market, metrics.Summary(), result, dir, clock.Elapsed, model, simulation.Clock);
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
        if (kind != Policies.Learned)
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
            throw args.Get("policy") == Policies.Learned
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

    /// <summary>Test seam: the clearing mechanism to run instead of the configured one (a failure injected at a step).</summary>
    internal Func<MarketConfig, IClearingMechanism>? Clearing { get; init; }

    private SimulationResult RunWithProgress(
        MarketConfig market, SimulationConfig simulation, Akka.Configuration.Config akka, ILedgerSink ledger, PolicyModel? model, TextWriter error, bool quiet,
        CancellationToken stop, ClusterRun? cluster)
    {
        var clearing = Clearing?.Invoke(market);
        if (quiet)
        {
            return SimulationRunner.Run(market, simulation, ledger, model: model, clearing: clearing, cancellation: stop, akka: akka, cluster: cluster);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        SimulationResult? result = null;
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"{market.Population.Agents} EVs, {market.Time.Days} days", maxValue: market.Time.TotalSteps);
                result = SimulationRunner.Run(
                    market, simulation, ledger, (done, _) => task.Value = done, model: model, clearing: clearing, cancellation: stop, akka: akka, cluster: cluster);
                task.Value = market.Time.TotalSteps;
            });
        return result!;
    }
}
