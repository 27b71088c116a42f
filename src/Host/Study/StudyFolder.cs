using V2V.Host.Cli;
using V2V.Host.Configuration;
using V2V.Host.Output;

namespace V2V.Host.Study;

/// <summary>
/// The study folder's claim: DIR/study.json holds the study fingerprint (<see cref="StudyFingerprint.OfStudy"/>) of
/// the configuration that made it, so runs of two configurations never mix in one report.
/// </summary>
internal static class StudyFolder
{
    public const string StudyJson = "study.json";

    public static void Claim(string dir, Config config)
    {
        string fingerprint = StudyFingerprint.OfStudy(config);
        string path = Path.Combine(dir, StudyJson);
        if (File.Exists(path))
        {
            if (File.ReadAllText(path) != fingerprint)
            {
                throw new UsageException(
                    $"--out: {dir} holds a study of another configuration (study.json differs beyond the methods, agents and seeds); choose another folder");
            }

            return;
        }

        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
        {
            throw new UsageException($"--out: {dir} is not empty and holds no study (no {StudyJson}); choose another folder");
        }

        OutputFolder.Create("out", dir);
        AtomicFile.WriteText(path, fingerprint);
    }
}
