namespace V2V.Host.Tests.Study;

/// <summary>
/// `v2v study` run once on hocon/experiments/smoke.conf (2 methods x 2 N x 1 seed x 1 day, a 20-episode training)
/// into a temp folder, shared by the tests that only read it; tests that change a study copy it first.
/// </summary>
public sealed class SmokeStudyFixture : IDisposable
{
    public SmokeStudyFixture()
    {
        Root = Directory.CreateTempSubdirectory("v2v-study-").FullName;
        Dir = Path.Combine(Root, "study");
        (Code, Out, Err) = V2vCli.Run("study", "--config", SmokeConf, "--out", Dir);
    }

    public static string SmokeConf => Path.Combine(RepositoryRoot.Path, "hocon", "experiments", "smoke.conf");

    public string Root { get; }

    public string Dir { get; }

    public int Code { get; }

    public string Out { get; }

    public string Err { get; }

    /// <summary>A copy of the study folder, for a test that resumes or damages it.</summary>
    public string Copy(string name)
    {
        string target = Path.Combine(Root, name);
        foreach (var file in Directory.EnumerateFiles(Dir, "*", SearchOption.AllDirectories))
        {
            string to = Path.Combine(target, Path.GetRelativePath(Dir, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        return target;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
