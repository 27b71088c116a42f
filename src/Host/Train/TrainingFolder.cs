using System.Globalization;
using V2V.Host.Cli;
using V2V.Simulation.Training;

namespace V2V.Host.Train;

/// <summary>
/// The rules that keep one training per output folder: a folder holding a training is written into only by the
/// training that continues it (<c>--resume</c> of that folder), and never when it holds checkpoints later than the
/// resumed one, so a folder's checkpoints, training.csv and model always come from one run of episodes.
/// </summary>
internal static class TrainingFolder
{
    public const string Checkpoints = "checkpoints";

    private const string CheckpointPrefix = "episode-";
    private const string ModelExtension = ".v2vnn";

    public static string CheckpointName(int nextEpisode) =>
        string.Create(CultureInfo.InvariantCulture, $"{CheckpointPrefix}{nextEpisode:D6}{ModelExtension}");

    /// <summary>True when the folder holds a model, a training.csv or a checkpoint.</summary>
    public static bool HoldsTraining(string dir) =>
        File.Exists(Path.Combine(dir, TrainingSession.ModelFileName))
        || File.Exists(Path.Combine(dir, TrainingCsv.FileName))
        || CheckpointEpisodes(dir).Any();

    /// <summary>Refuses (exit 2) an --out that holds a training unless --resume continues that very folder.</summary>
    public static void RequireFreeOrResumed(string outDir, string? resume)
    {
        if (!HoldsTraining(outDir))
        {
            return;
        }

        if (resume is null)
        {
            throw new UsageException(
                $"--out: {outDir} already holds a training ({TrainingSession.ModelFileName}, {TrainingCsv.FileName} or {Checkpoints}/); choose another folder, or continue it with --resume {outDir}");
        }

        if (!SameFolder(FolderOf(resume), outDir))
        {
            throw new UsageException(
                $"--out: {outDir} holds another training than --resume {resume}; choose an empty folder, or continue that training with --resume {outDir}");
        }
    }

    /// <summary>Refuses a resume into its own folder from a checkpoint older than checkpoints already there.</summary>
    public static void RequireNoLaterCheckpoints(string outDir, int nextEpisode)
    {
        int latest = CheckpointEpisodes(outDir).DefaultIfEmpty(-1).Max();
        if (latest > nextEpisode)
        {
            throw new UsageException(
                $"--resume: resumes at episode {nextEpisode}, but {Path.Combine(outDir, Checkpoints)} holds checkpoints up to episode {latest}, which this training would mix with its own; give another --out");
        }
    }

    // The training folder a --resume path belongs to: the folder itself, a model file's folder, or a checkpoint's training folder.
    private static string FolderOf(string resume)
    {
        if (Directory.Exists(resume))
        {
            return resume;
        }

        string folder = Path.GetDirectoryName(Path.GetFullPath(resume)) ?? resume;
        return Path.GetFileName(folder) == Checkpoints ? Path.GetDirectoryName(folder) ?? folder : folder;
    }

    private static bool SameFolder(string a, string b) =>
        string.Equals(
            Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)),
            Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)),
            OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    private static IEnumerable<int> CheckpointEpisodes(string dir)
    {
        string folder = Path.Combine(dir, Checkpoints);
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(folder, CheckpointPrefix + "*" + ModelExtension))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            if (int.TryParse(name.AsSpan(CheckpointPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int episode))
            {
                yield return episode;
            }
        }
    }
}
