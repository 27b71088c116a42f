using System.IO.Compression;
using TorchSharp.PyBridge;
using V2V.Host.Tests.Configuration;
using V2V.Host.Tests.Run;
using V2V.Learning;
using V2V.Learning.Networks;
using static TorchSharp.torch;

namespace V2V.Host.Tests.Export;

public sealed class ExportCommandTests(TrainedModelFixture model) : IClassFixture<TrainedModelFixture>
{
    [Fact]
    public void Export_TrainedModel_WritesAPyTorchStateDictThatReadsBackAsTheActor()
    {
        using var dir = new TempFolder();
        string to = Path.Combine(dir.Path, "actor.pt");
        var (code, output, err) = V2vCli.Run("export", "--model", model.ModelDir, "--to", to);
        Assert.True(code == 0, err);
        Assert.Contains("actor 12-16-16-2 (ReLU hidden, tanh out)", output, StringComparison.Ordinal);

        // torch.save's format: a zip whose pickle names the state dict's tensors, with one storage file each.
        using (var zip = ZipFile.OpenRead(to))
        {
            Assert.Contains(zip.Entries, e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal));
            Assert.Equal(6, zip.Entries.Count(e => e.FullName.Contains("/data/", StringComparison.Ordinal)));
        }

        using var readBack = TorchMlp.Zeros([12, 16, 16, 2], OutputActivation.Tanh, CPU);
        readBack.Module.load_py(to, strict: true);
        var expected = PolicyModel.Load(model.ModelDir).Publish().ActorParameters;
        Assert.Equal(expected, readBack.GetParameters());
        Assert.Contains(expected, p => p != 0f);
    }

    [Theory]
    [InlineData("no-model", "--model: required")]
    [InlineData("no-folder", "--to: folder")]
    [InlineData("corrupt", "v2v export: --model: model file")]
    public void Export_BadInput_ExitsTwoWithOneLineAndWritesNothing(string scenario, string message)
    {
        using var dir = new TempFolder();
        string to = scenario == "no-folder" ? Path.Combine(dir.Path, "missing", "actor.pt") : Path.Combine(dir.Path, "actor.pt");
        string[] args = scenario switch
        {
            "no-model" => ["export", "--to", to],
            "no-folder" => ["export", "--model", model.ModelDir, "--to", to],
            "corrupt" => ["export", "--model", model.CorruptFile, "--to", to],
            _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
        };

        var (code, _, err) = V2vCli.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(to));
    }
}
