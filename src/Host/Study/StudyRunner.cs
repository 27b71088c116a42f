using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using V2V.Host.Run;
using V2V.Host.Verify;
using V2V.Simulation.Training;

namespace V2V.Host.Study;

/// <summary>
/// Runs the grid: every run made by `v2v run` itself (<see cref="RunCommand"/>, with the study's --config and --set
/// and the run's --agents, --days, --seed, --mechanism, --policy and --model) into <c>DIR/runs/NAME/</c>, at most
/// <c>parallelism</c> at a time (each run is one simulation, independent of the others). Resumable: a folder with
/// complete.json is kept (unless it is a learned run made with another model file than the method's model now),
/// a folder without is deleted and run again. Every run, kept or new, is then checked by `v2v verify`'s own
/// <see cref="FolderVerifier"/>; one that does not verify fails the study.
/// </summary>
internal static class StudyRunner
{
    public const string Folder = "runs";

    public static string RunDir(string studyDir, StudyRun run) => Path.Combine(studyDir, Folder, run.FolderName);

    /// <summary>The study's own --config and --set, passed on to every `train` and `run` it makes.</summary>
    public static IEnumerable<string> ConfigArgs(string? configFile, IReadOnlyList<string> sets)
    {
        if (configFile is not null)
        {
            yield return "--config";
            yield return configFile;
        }

        foreach (var set in sets)
        {
            yield return "--set";
            yield return set;
        }
    }

    /// <summary>
    /// Runs what is missing; returns how many runs were made (the others were complete already). <paramref name="placement"/>
    /// is given to every run as it stands (<c>--cluster HOST:PORT</c>, or nothing for runs in this process).
    /// </summary>
    public static int RunAll(
        string studyDir, StudyPlan plan, string? configFile, IReadOnlyList<string> sets, TextWriter progress, int parallelism, IReadOnlyList<string> placement)
    {
        var runs = plan.Runs();
        var modelHashes = plan.Methods.Where(m => m.Training is not null)
            .ToDictionary(m => m.Name, m => FileSha256(Path.Combine(StudyModels.ModelDir(studyDir, m), TrainingSession.ModelFileName)));
        var todo = runs.Where(r => !IsReusable(RunDir(studyDir, r), modelHashes.GetValueOrDefault(r.Method.Name))).ToArray();
        progress.WriteLine($"study: {runs.Count} runs, {runs.Count - todo.Length} complete already, {todo.Length} to run on up to {parallelism} cores");
        int done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism };
        Parallel.ForEach(todo, options, run =>
        {
            string dir = RunDir(studyDir, run);
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }

            List<string> args =
            [
                "run", "--agents", Text(run.Agents), "--days", Text(plan.Days), "--seed", Text(run.Seed),
                "--mechanism", run.Method.Mechanism, "--policy", run.Method.Policy, "--out", dir, "--quiet",
            ];
            if (run.Method.Training is not null)
            {
                args.AddRange(["--model", StudyModels.ModelDir(studyDir, run.Method)]);
            }

            args.AddRange(ConfigArgs(configFile, [.. sets, .. run.Variant.Sets]));
            args.AddRange(placement);
            var output = new StringWriter();
            var error = new StringWriter();
            int code = Cli.CommandLine.Run(args, output, error, [new RunCommand()]);
            if (code is 130 or 143)
            {
                throw new StudyFailedException($"run {run.FolderName} stopped by {(code == 130 ? "SIGINT" : "SIGTERM")}; run the same command to resume", code);
            }

            if (code != 0)
            {
                throw new StudyFailedException($"run {run.FolderName} failed (exit {code}): {StudyModels.FirstLine(error.ToString(), output.ToString())}");
            }

            Verify(dir, run);
            int n = Interlocked.Increment(ref done);
            progress.WriteLine($"study: [{n}/{todo.Length}] {run.FolderName} done and verified");
        });

        foreach (var run in runs.Except(todo))
        {
            Verify(RunDir(studyDir, run), run);
        }

        return todo.Length;
    }

    private static void Verify(string dir, StudyRun run)
    {
        var report = FolderVerifier.Verify(dir);
        if (report.Code != 0)
        {
            string first = report.Lines.FirstOrDefault() is { } line ? $"; first finding: {line}" : "";
            throw new StudyFailedException($"run {run.FolderName} does not verify ({dir}): {report.Headline}{first}");
        }
    }

    private static bool IsReusable(string dir, string? modelSha256)
    {
        if (!File.Exists(Path.Combine(dir, RunFolder.CompleteJson)))
        {
            return false;
        }

        if (modelSha256 is null)
        {
            return true;
        }

        // A learned run counts only if it bid with the method's current model.
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
            return doc.RootElement.TryGetProperty("model", out var model) && model.TryGetProperty("sha256", out var sha)
                && string.Equals(sha.GetString(), modelSha256, StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return false;
        }
    }

    private static string FileSha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
