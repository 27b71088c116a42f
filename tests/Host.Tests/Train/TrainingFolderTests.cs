using V2V.Host.Tests.Configuration;

namespace V2V.Host.Tests.Train;

/// <summary>`train --out` on a folder holding a training: refused (exit 2, nothing touched) unless --resume continues that folder.</summary>
public sealed class TrainingFolderTests : IDisposable
{
    private static readonly string[] Tiny =
    [
        "--no-progress", "--set", "v2v.learning.actor-hidden=[8]", "--set", "v2v.learning.critic-hidden=[8]",
        "--set", "v2v.learning.evaluation-episodes=0", "--set", "v2v.learning.checkpoint-every=1",
        "--set", "v2v.learning.train-agents-max=8",
    ];

    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Train_OutHoldingATrainingWithoutResume_ExitsTwoAndLeavesItUntouched()
    {
        var dir = Train("first", episodes: 2);
        var before = Snapshot(dir);

        var (code, _, error) = V2vCli.Run(["train", "--method", "learning-only", "--episodes", "3", "--out", dir, .. Tiny]);

        Assert.Equal(2, code);
        Assert.Equal(
            $"v2v train: --out: {dir} already holds a training (model.v2vnn, training.csv or checkpoints/); choose another folder, or continue it with --resume {dir}",
            error.TrimEnd());
        Assert.Equal(before, Snapshot(dir));
    }

    [Fact]
    public void Train_OutHoldingAnotherTrainingThanResume_ExitsTwo()
    {
        var first = Train("first", episodes: 2);
        var second = Train("second", episodes: 2);
        var before = Snapshot(second);

        var (code, _, error) = V2vCli.Run(["train", "--method", "learning-only", "--episodes", "3", "--resume", first, "--out", second, .. Tiny]);

        Assert.Equal(2, code);
        Assert.Contains($"--out: {second} holds another training than --resume {first}", error, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(second));
    }

    [Fact]
    public void Train_ResumeFromAnOlderCheckpointOfTheSameFolder_ExitsTwoNamingTheLaterCheckpoints()
    {
        var dir = Train("first", episodes: 3);
        var older = Path.Combine(dir, "checkpoints", "episode-000001.v2vnn");
        var before = Snapshot(dir);

        var (code, _, error) = V2vCli.Run(["train", "--method", "learning-only", "--episodes", "4", "--resume", older, "--out", dir, .. Tiny]);

        Assert.Equal(2, code);
        Assert.Contains("--resume: resumes at episode 1, but", error, StringComparison.Ordinal);
        Assert.Contains("holds checkpoints up to episode 3", error, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(dir));
    }

    [Fact]
    public void Train_ResumeOfTheSameFolder_ContinuesWithOneRowPerEpisode()
    {
        var dir = Train("first", episodes: 2);

        var (code, _, error) = V2vCli.Run(["train", "--method", "learning-only", "--episodes", "3", "--resume", dir, "--out", dir, .. Tiny]);

        Assert.True(code == 0, error);
        var episodes = File.ReadAllLines(Path.Combine(dir, "training.csv")).Skip(1).Select(l => l.Split(',')[0]);
        Assert.Equal(["0", "1", "2"], episodes);
        Assert.Equal(
            ["episode-000001.v2vnn", "episode-000002.v2vnn", "episode-000003.v2vnn"],
            Directory.GetFiles(Path.Combine(dir, "checkpoints")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Train_EmptyExistingFolder_IsAccepted()
    {
        var dir = Path.Combine(temp.Path, "empty");
        Directory.CreateDirectory(dir);

        var (code, _, error) = V2vCli.Run(["train", "--method", "learning-only", "--episodes", "1", "--out", dir, .. Tiny]);

        Assert.True(code == 0, error);
        Assert.True(File.Exists(Path.Combine(dir, "model.v2vnn")));
    }

    private string Train(string name, int episodes)
    {
        var dir = Path.Combine(temp.Path, name);
        var (code, _, error) = V2vCli.Run(["train", "--method", "learning-only", "--episodes", $"{episodes}", "--out", dir, .. Tiny]);
        Assert.True(code == 0, error);
        return dir;
    }

    // Every file's relative path, length and last write time: what a refused command must not change.
    private static string[] Snapshot(string dir) =>
        [.. Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
            .Select(f => $"{Path.GetRelativePath(dir, f)} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f).Ticks}")
            .Order(StringComparer.Ordinal)];
}
