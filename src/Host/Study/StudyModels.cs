using System.Text.Json;
using V2V.Host.Configuration;
using V2V.Host.Train;
using V2V.Simulation.Training;

namespace V2V.Host.Study;

/// <summary>
/// The study's trained models, one per training (nash-maddpg or learning-only) that a learned method names, in
/// <c>DIR/models/TRAINING/</c>, so methods that bid with one policy under several mechanisms share it; each trained by `v2v train`
/// itself (<see cref="TrainCommand"/>) with the study's --config and --set. A model folder is reused when it
/// <em>matches</em>: it holds model.v2vnn and summary.json (which `v2v train` writes last, so the training finished),
/// summary.json names the method's training (nash-maddpg or learning-only), and its config.json has the study's model
/// fingerprint (<see cref="StudyFingerprint.OfModel"/>: every key but v2v.evaluation and v2v.methods, so the episodes,
/// the networks, the market and the seed all agree). Any other model folder is deleted and trained again.
/// </summary>
internal static class StudyModels
{
    public const string Folder = "models";

    public static string ModelDir(string studyDir, StudyMethod method) =>
        Path.Combine(studyDir, Folder, (method.Training ?? throw new ArgumentException($"{method.Name} is not a learned method", nameof(method))).Name);

    /// <summary>Trains every learned method's model that does not match yet, in parallel; returns the methods trained.</summary>
    public static IReadOnlyList<string> Ensure(
        string studyDir, IReadOnlyList<StudyMethod> methods, Config config, string? configFile, IReadOnlyList<string> sets,
        TextWriter progress, int parallelism)
    {
        string fingerprint = StudyFingerprint.OfModel(config);
        var learned = methods.Where(m => m.Training is not null).DistinctBy(m => m.Training!.Name).ToArray();
        var toTrain = learned.Where(m => !Matches(ModelDir(studyDir, m), m, fingerprint)).ToArray();
        foreach (var m in learned.Except(toTrain))
        {
            progress.WriteLine($"study: model {m.Training!.Name}: reusing {ModelDir(studyDir, m)} (matches method and configuration)");
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism };
        Parallel.ForEach(toTrain, options, method =>
        {
            string dir = ModelDir(studyDir, method);
            if (Directory.Exists(dir))
            {
                progress.WriteLine($"study: model {method.Training!.Name}: {dir} does not match (unfinished, another method or configuration); training again");
                Directory.Delete(dir, recursive: true);
            }

            progress.WriteLine($"study: model {method.Training!.Name}: training");
            List<string> args = ["--method", method.Training.Name, "--out", dir, "--no-progress"];
            args.AddRange(StudyRunner.ConfigArgs(configFile, sets));
            using var output = new PrefixedLineWriter(progress, $"study: model {method.Training.Name}: ");
            var error = new StringWriter();
            int code = Cli.CommandLine.Run(["train", .. args], output, error, [new TrainCommand()]);
            if (code != 0)
            {
                throw new StudyFailedException($"training the model {method.Training.Name} failed (exit {code}): {FirstLine(error.ToString(), output.Text)}");
            }
        });
        return [.. toTrain.Select(m => m.Training!.Name)];
    }

    private static bool Matches(string dir, StudyMethod method, string fingerprint)
    {
        string summary = Path.Combine(dir, "summary.json");
        string config = Path.Combine(dir, "config.json");
        if (!File.Exists(Path.Combine(dir, TrainingSession.ModelFileName)) || !File.Exists(summary) || !File.Exists(config))
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(summary));
            return doc.RootElement.TryGetProperty("method", out var name) && name.GetString() == method.Training!.Name
                && StudyFingerprint.OfModelJson(File.ReadAllText(config)) == fingerprint;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    internal static string FirstLine(params string[] texts) =>
        texts.SelectMany(t => t.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).FirstOrDefault() ?? "no message";
}
