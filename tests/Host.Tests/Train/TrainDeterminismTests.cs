using V2V.Host.Tests.Configuration;
using V2V.Learning.Networks;
using V2V.Simulation.Training;

namespace V2V.Host.Tests.Train;

/// <summary>`v2v train` end to end on TorchSharp: a seed fixes the training CSV and the trained weights.</summary>
public sealed class TrainDeterminismTests
{
    [Theory]
    [InlineData("direct")]
    [InlineData("actors")]
    public void Train_SameSeedTwice_IdenticalCsvAndWeights(string backend)
    {
        using var a = new TempFolder();
        using var b = new TempFolder();
        using var c = new TempFolder();
        Train(backend, a.Path, seed: 3);
        Train(backend, b.Path, seed: 3);
        Train(backend, c.Path, seed: 4);

        string csv = File.ReadAllText(Path.Combine(a.Path, "training.csv"));
        Assert.Equal(4, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(csv, File.ReadAllText(Path.Combine(b.Path, "training.csv")));
        var (first, second, other) = (Model(a.Path), Model(b.Path), Model(c.Path));
        Assert.Equal(first.Identity.WeightsSha256, second.Identity.WeightsSha256);
        Assert.NotEqual(first.Identity.WeightsSha256, other.Identity.WeightsSha256);
        Assert.Equal(new TrainingStamp("nash-maddpg", 3, 3), first.Identity.Training);
    }

    [Theory]
    [InlineData("gpu", "expected cpu or cuda, got 'gpu'")]
    [InlineData("cuda", "cuda requested, but TorchSharp finds no CUDA device here")]
    public void Train_DeviceNotUsableHere_ExitsTwoWithOneLine(string device, string message)
    {
        if (device == "cuda" && TorchRuntime.CudaAvailable)
        {
            return;
        }

        using var dir = new TempFolder();
        var (code, _, err) = V2vCli.Run("train", "--method", "nash-maddpg", "--out", dir.Path, "--set", $"v2v.learning.device={device}");
        Assert.Equal(2, code);
        Assert.Contains("v2v.learning.device", err, StringComparison.Ordinal);
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static ModelContents Model(string dir) => ModelFile.Load(Path.Combine(dir, TrainingSession.ModelFileName));

    private static void Train(string backend, string dir, int seed)
    {
        var (code, _, err) = V2vCli.Run(
            "train", "--method", "nash-maddpg", "--backend", backend, "--episodes", "3", "--out", dir, "--no-progress",
            "--set", $"v2v.seed={seed}", "--set", "v2v.learning.actor-hidden=[16, 16]", "--set", "v2v.learning.critic-hidden=[16, 16]",
            "--set", "v2v.learning.batch-size=32", "--set", "v2v.learning.warmup-transitions=64",
            "--set", "v2v.learning.train-agents-max=12", "--set", "v2v.learning.evaluation-episodes=0");
        Assert.True(code == 0, err);
    }
}
