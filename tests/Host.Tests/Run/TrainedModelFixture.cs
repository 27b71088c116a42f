using V2V.Host.Configuration;
using V2V.Learning.Maddpg;
using V2V.Learning.Networks;
using V2V.Simulation.Training;

namespace V2V.Host.Tests.Run;

/// <summary>
/// A tiny model trained once per test class through the training API (Learning Only, small networks, a few
/// one-day episodes) into a temp folder, plus model files that `v2v run` must refuse.
/// </summary>
public sealed class TrainedModelFixture : IDisposable
{
    public const int Episodes = 3;

    public TrainedModelFixture()
    {
        Root = Directory.CreateTempSubdirectory("v2v-learned-run-").FullName;
        ModelDir = Path.Combine(Root, "model");
        Directory.CreateDirectory(ModelDir);
        var config = ConfigLoader.Load(null,
        [
            "v2v.learning.actor-hidden=[16, 16]",
            "v2v.learning.critic-hidden=[16, 16]",
            "v2v.learning.batch-size=32",
            "v2v.learning.warmup-transitions=64",
        ]);
        using (var session = new TrainingSession(MarketConfigBinder.Bind(config), LearningConfigBinder.Bind(config), TrainingMethod.LearningOnly, seed: 5))
        {
            for (int e = 0; e < Episodes; e++)
            {
                session.RunNextEpisode();
            }

            session.SaveCheckpoint(ModelFile);
            Updates = session.Learner.Updates;
        }

        var bytes = File.ReadAllBytes(ModelFile);
        var corrupt = (byte[])bytes.Clone();
        corrupt[bytes.Length / 2] ^= 0xFF;
        CorruptFile = Write("corrupt.v2vnn", corrupt);
        TruncatedFile = Write("truncated.v2vnn", bytes[..(bytes.Length * 2 / 3)]);
        NotAModelFile = Write("notes.v2vnn", "not a model"u8.ToArray());
        EmptyDir = Directory.CreateDirectory(Path.Combine(Root, "empty")).FullName;

        // An actor for 10 observations and 3 actions: a model of some other observation and action layout.
        using var other = TorchMlp.Create([10, 16, 3], OutputActivation.Tanh, new Random(1), TorchSharp.torch.CPU);
        OtherShapeFile = Path.Combine(Root, "other-shape.v2vnn");
        V2V.Learning.Networks.ModelFile.Save(OtherShapeFile, [(MaddpgLearner.ActorName, other)], [], training: null);
    }

    public string Root { get; }

    /// <summary>The `v2v train`-style output folder (holds model.v2vnn).</summary>
    public string ModelDir { get; }

    public string ModelFile => Path.Combine(ModelDir, TrainingSession.ModelFileName);

    public long Updates { get; }

    public string CorruptFile { get; }

    public string TruncatedFile { get; }

    public string NotAModelFile { get; }

    public string EmptyDir { get; }

    public string OtherShapeFile { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(Root, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
