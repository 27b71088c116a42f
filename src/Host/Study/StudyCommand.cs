using System.Diagnostics;
using System.Globalization;
using V2V.Host.Cli;
using V2V.Host.Configuration;
using V2V.Host.Node;
using V2V.Host.Output;

namespace V2V.Host.Study;

/// <summary>`v2v study`: the evaluation protocol of SPEC 9 from one command (train, run the grid, verify, report).</summary>
public sealed class StudyCommand : ICommand
{
    public string Name => "study";

    public string Summary => "train, run and verify the evaluation grid of v2v.evaluation, then write the report";

    public string Help => """
        usage: v2v study --out DIR [--config FILE] [--set K=V] [--parallel P] [--cluster HOST:PORT]

        Runs the protocol of v2v.evaluation: the methods it lists (each declared under v2v.methods as a policy, a
        clearing mechanism and, for a learned policy, a reward) x its agents (N) x its seeds, each run its days long.
        1. Trains one model per learned method with `v2v train` into DIR/models/METHOD/; a model folder is reused
           when it holds a finished training (model.v2vnn and summary.json) of that method whose config.json agrees
           with this configuration on every key but v2v.evaluation and v2v.methods; any other is trained again.
        2. Runs every (method, N, seed) with `v2v run` into DIR/runs/METHOD-nN-sSEED/, up to --parallel at a time,
           with a progress line on stderr per run. A run folder holding complete.json is kept (a learned run only
           if it used the method's current model file); one without is deleted and run again, so an interrupted
           study resumes where it stopped. Every run is checked as `v2v verify` checks it; a run that fails or does
           not verify stops the study with one line naming it (exit 1); SIGINT or SIGTERM stops the runs under
           way at the end of their open step (exit 130 or 143; run the same command to resume).
        3. Writes DIR/runs.csv (one row per run), DIR/summary.csv (median, IQR and the relative change of the
           median against v2v.evaluation.baseline, per method and metric), the charts in DIR/charts/ (PNG),
           DIR/report.md and DIR/report.html (self-contained: the charts embedded).
        An experiment configuration (hocon/experiments/) adds a top-level `experiment` block: its variants, each a
        list of --set overrides, run the same grid (paired runs, in DIR/runs/VARIANT/), and the report gets the
        experiment's section; `experiment.methods` declares extra method pairings like v2v.methods, and
        `experiment.arrival-order-bins = B` adds the analysis of arrival order within a step (DIR/arrival-order.csv).
        With --cluster HOST:PORT every run spreads its EVs over the running cluster whose seed member is HOST:PORT,
        as `v2v run --cluster` does (the ledgers are those of the same runs in one process); the training stays in
        this process. DIR/study.json keeps the configuration; a DIR made with another configuration (other than its methods,
        agents and seeds, which may grow) is refused with exit 2.
        """;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("out", "DIR", "study folder (required; created if missing; resumed if it holds a study of this configuration)"),
        new("parallel", "P", "runs and trainings at a time (default: the processor count)"),
        new("cluster", "HOST:PORT", "run every run's EVs on the cluster whose seed member is HOST:PORT ('v2v node'); training stays here"),
        CommonOptions.Config,
        CommonOptions.Set,
        CommonOptions.Help,
    ];

    public int MaxPositional => 0;

    public int Execute(Arguments args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string dir = args.Get("out") ?? throw new UsageException("--out: required (the study folder)");
        OutputFolder.Check("out", dir);
        int parallelism = args.GetInt("parallel", Environment.ProcessorCount, min: 1);
        string? configFile = args.Get("config");
        string[] placement = args.Get("cluster") is { } seed ? ["--cluster", ClusterSettings.ParseSeed("cluster", seed)] : [];
        var sets = args.GetAll("set");
        var config = CommonOptions.LoadConfig(args);
        var plan = StudyPlan.Bind(config);
        LearningConfigBinder.Bind(config);

        // Each variant's runs read the study's configuration with the variant's overrides: bound here, before any
        // work, so a bad override is one line naming its key.
        var markets = plan.Variants.ToDictionary(v => v, v => MarketConfigBinder.Bind(
            v.Sets.Count == 0 ? config : ConfigLoader.Load(configFile, [.. sets, .. v.Sets])));
        StudyFolder.Claim(dir, config);

        var progress = TextWriter.Synchronized(error);
        var clock = Stopwatch.StartNew();
        try
        {
            StudyModels.Ensure(dir, plan.Methods, config, configFile, sets, progress, parallelism);
            int made = StudyRunner.RunAll(dir, plan, configFile, sets, progress, parallelism, placement);
            var rows = plan.Runs().Select(r => RunRow.Read(StudyRunner.RunDir(dir, r), r, markets[r.Variant])).ToArray();
            int charts = StudyReport.Write(dir, plan, rows, markets, parallelism);
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"study: {rows.Length} runs ({made} made now) verified in {clock.Elapsed.TotalSeconds:F1} s; report: {Path.Combine(dir, StudyReport.MarkdownFile)}, {Path.Combine(dir, StudyReport.HtmlFile)} ({charts} charts)"));
            return 0;
        }
        catch (StudyFailedException e)
        {
            error.WriteLine($"v2v study: {e.Message}");
            return e.ExitCode;
        }
        catch (AggregateException e) when (e.Flatten().InnerExceptions.OfType<StudyFailedException>().FirstOrDefault() is { } failed)
        {
            // A parallel run or training failed: the runs already under way finished, no new one started.
            error.WriteLine($"v2v study: {failed.Message}");
            return failed.ExitCode;
        }
    }
}
