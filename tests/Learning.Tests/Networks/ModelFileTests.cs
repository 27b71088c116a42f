using System.Security.Cryptography;
using System.Text;
using TorchSharp;
using V2V.Learning.Maddpg;
using V2V.Learning.Networks;
using V2V.Learning.Tests.Maddpg;
using static TorchSharp.torch;

namespace V2V.Learning.Tests.Networks;

public sealed class ModelFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("v2v-model-").FullName;

    public void Dispose() => Directory.Delete(this.folder, recursive: true);

    [Fact]
    public void SaveLoad_Checkpoint_RestoresEveryNetworkBitForBitWithItsIdentity()
    {
        using var learner = Trained(seed: 3);
        string path = Path.Combine(this.folder, "model.v2vnn");
        learner.Save(path, new TrainingStamp("nash-maddpg", 3, 17));

        var contents = ModelFile.Load(path);
        Assert.Equal(ModelFile.FormatVersion, contents.Identity.FormatVersion);
        Assert.Equal(new TrainingStamp("nash-maddpg", 3, 17), contents.Identity.Training);
        Assert.Equal(ModelFile.ObservationLayout, contents.Identity.ObservationLayout);
        Assert.Equal([12, 16, 16, 2], contents.Network(MaddpgLearner.ActorName).Sizes);
        Assert.Equal(OutputActivation.Identity, contents.Network(MaddpgLearner.CriticName).Output);
        Assert.Equal([MaddpgLearner.ActorName, MaddpgLearner.CriticName], contents.Identity.Optimisers);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), contents.Sha256);

        using var actor = contents.LoadNetwork(MaddpgLearner.ActorName, CPU);
        Assert.Equal(learner.Actor.GetParameters(), actor.GetParameters());
        using var other = Trained(seed: 4);
        other.Restore(contents);
        Assert.Equal(learner.Critic.GetParameters(), other.Critic.GetParameters());
        Assert.Equal(learner.TargetActor.GetParameters(), other.TargetActor.GetParameters());
        Assert.Equal(learner.TargetCritic.GetParameters(), other.TargetCritic.GetParameters());
    }

    [Fact]
    public void Save_SameWeightsOtherStamp_SameWeightsHashOtherFileHash()
    {
        using var learner = Trained(seed: 3);
        string a = Path.Combine(this.folder, "a.v2vnn"), b = Path.Combine(this.folder, "b.v2vnn"), c = Path.Combine(this.folder, "c.v2vnn");
        learner.Save(a, new TrainingStamp("nash-maddpg", 3, 17));
        learner.Save(b, new TrainingStamp("nash-maddpg", 3, 18));
        learner.Update(new Random(1));
        learner.Save(c, new TrainingStamp("nash-maddpg", 3, 18));
        var (ma, mb, mc) = (ModelFile.Load(a), ModelFile.Load(b), ModelFile.Load(c));
        Assert.Equal(ma.Identity.WeightsSha256, mb.Identity.WeightsSha256);
        Assert.NotEqual(ma.Sha256, mb.Sha256);
        Assert.NotEqual(mb.Identity.WeightsSha256, mc.Identity.WeightsSha256);
        Assert.Equal(ma.Identity.WeightsSha256, ma.Identity.ToMetadata()["weights-sha256"]);
        Assert.Equal("18", mb.Identity.ToMetadata()["next-episode"]);
    }

    [Theory]
    [InlineData("flipped", "checksum mismatch")]
    [InlineData("truncated", "truncated")]
    [InlineData("text", "bad magic")]
    [InlineData("version", "is format version 1; this build reads version 2")]
    [InlineData("layout", "was trained on the observation layout 'soc, target-soc, soc-gap, urgency")]
    [InlineData("weights", "weights SHA-256 mismatch")]
    [InlineData("json", "malformed")]
    public void Load_DamagedOrForeignFile_RefusedWithOneLineNamingFileAndProblem(string damage, string message)
    {
        using var learner = Trained(seed: 3);
        string path = Path.Combine(this.folder, "model.v2vnn");
        learner.Save(path, new TrainingStamp("learning-only", 3, 1));
        byte[] bytes = File.ReadAllBytes(path);
        byte[] damaged = damage switch
        {
            "flipped" => Flip(bytes, bytes.Length / 2),
            "truncated" => bytes[..(bytes.Length * 2 / 3)],
            "text" => "not a model at all"u8.ToArray(),
            "version" => Reseal(Patch(bytes, 8, [1, 0, 0, 0])),
            "layout" => Reseal(Replace(bytes, "need-or-surplus/battery, urgency", "urgency")),
            "weights" => Reseal(Flip(bytes, FirstStateOffset(bytes) + 100)),
            "json" => Reseal(Replace(bytes, "\"networks\"", "\"networkz\"")),
            _ => throw new ArgumentOutOfRangeException(nameof(damage)),
        };
        File.WriteAllBytes(path, damaged);

        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(path));
        Assert.StartsWith($"model file '{path}': ", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Restore_OtherShapeOrNoOptimiser_RefusedWithMessage()
    {
        using var learner = Trained(seed: 3);
        string path = Path.Combine(this.folder, "model.v2vnn");
        learner.Save(path, new TrainingStamp("learning-only", 3, 1));
        using var wider = new MaddpgLearner(Fixtures.Small() with { ActorHidden = [32, 16] }, seed: 3);
        var e = Assert.Throws<ModelFileException>(() => wider.Restore(ModelFile.Load(path)));
        Assert.Contains("shape mismatch for network 'actor': file has 12-16-16-2 (Tanh), target is 12-32-16-2 (Tanh)", e.Message, StringComparison.Ordinal);

        ModelFile.Save(path, [(MaddpgLearner.ActorName, learner.Actor)], [], training: null);
        var bare = ModelFile.Load(path);
        Assert.Null(bare.Identity.Training);
        Assert.Contains("network 'actor' was saved without optimiser state",
            Assert.Throws<ModelFileException>(() => bare.RestoreOptimiser(MaddpgLearner.ActorName, learner.ActorOptimizer)).Message, StringComparison.Ordinal);
        Assert.Contains("has no network 'critic' (it holds: actor)",
            Assert.Throws<ModelFileException>(() => bare.Network(MaddpgLearner.CriticName)).Message, StringComparison.Ordinal);
    }

    private static MaddpgLearner Trained(int seed)
    {
        var learner = new MaddpgLearner(Fixtures.Small(), seed);
        var random = new Random(seed);
        var row = new float[CriticContext.CriticInputSize];
        for (int k = 0; k < 100; k++)
        {
            for (int d = 0; d < row.Length; d++)
            {
                row[d] = (float)random.NextDouble();
            }

            learner.Replay.Add(row, (float)random.NextDouble(), row, done: k % 3 == 0);
        }

        for (int u = 0; u < 3; u++)
        {
            learner.Update(random);
        }

        return learner;
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] ^= 0xFF;
        return copy;
    }

    private static byte[] Patch(byte[] bytes, int at, byte[] value)
    {
        var copy = (byte[])bytes.Clone();
        value.CopyTo(copy, at);
        return copy;
    }

    /// <summary>Where the first state dict (the actor's) begins: after the identity, the count, its name and length.</summary>
    private static int FirstStateOffset(byte[] bytes)
    {
        int afterIdentity = 24 + BitConverter.ToInt32(bytes, 20);
        int nameLength = BitConverter.ToInt32(bytes, afterIdentity + 4);
        return afterIdentity + 8 + nameLength + 8;
    }

    /// <summary>Replaces text in the identity record, fixing its length prefix and the file length.</summary>
    private static byte[] Replace(byte[] bytes, string from, string to)
    {
        int jsonLength = BitConverter.ToInt32(bytes, 20);
        string json = Encoding.UTF8.GetString(bytes, 24, jsonLength);
        Assert.Contains(from, json, StringComparison.Ordinal);
        byte[] replaced = Encoding.UTF8.GetBytes(json.Replace(from, to, StringComparison.Ordinal));
        byte[] result = [.. bytes[..20], .. BitConverter.GetBytes(replaced.Length), .. replaced, .. bytes[(24 + jsonLength)..]];
        BitConverter.GetBytes((long)result.Length).CopyTo(result, 12);
        return result;
    }

    /// <summary>Recomputes the SHA-256 trailer, so only the deeper checks can catch the damage.</summary>
    private static byte[] Reseal(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        SHA256.HashData(copy.AsSpan(0, copy.Length - 32)).CopyTo(copy, copy.Length - 32);
        return copy;
    }
}
