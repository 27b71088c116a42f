using System.Buffers.Binary;
using System.Text;
using V2V.Learning.Nn;

namespace V2V.Learning.Tests.Nn;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("v2v-modelfile-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Crc32_StandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
    }

    [Fact]
    public void SaveLoad_NetworksOptimiserAndMetadata_RoundTripBitForBit()
    {
        var (checkpoint, actor, adam) = TrainedCheckpoint();
        string path = Path.Combine(_folder, "model.v2vnn");
        ModelFile.Save(path, checkpoint);
        var loaded = ModelFile.Load<float>(path);

        Assert.Equal("17", loaded.Metadata["episode"]);
        Assert.Equal(actor.Shape, loaded["actor"].Network.Shape);
        AssertBits(actor.Parameters, loaded["actor"].Network.Parameters);
        var loadedAdam = loaded["actor"].Optimizer!;
        Assert.Equal(adam.StepCount, loadedAdam.StepCount);
        Assert.Equal(adam.Options, loadedAdam.Options);
        AssertBits(adam.FirstMoment, loadedAdam.FirstMoment);
        AssertBits(adam.SecondMoment, loadedAdam.SecondMoment);
        Assert.Null(loaded["critic"].Optimizer);

        // Saving what was loaded gives the same bytes: nothing is lost or reordered.
        string again = Path.Combine(_folder, "again.v2vnn");
        ModelFile.Save(again, loaded);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    [Fact]
    public void RestoreInto_ContinuesTrainingExactlyAsTheOriginal()
    {
        var (checkpoint, actor, adam) = TrainedCheckpoint();
        string path = Path.Combine(_folder, "model.v2vnn");
        ModelFile.Save(path, checkpoint);
        var copy = Mlp<float>.FromShape(actor.Shape);
        var copyAdam = new AdamOptimizer<float>(copy, adam.Options);
        ModelFile.Load<float>(path).RestoreInto("actor", copy, copyAdam);
        TrainOnce(actor, adam, 99);
        TrainOnce(copy, copyAdam, 99);
        AssertBits(actor.Parameters, copy.Parameters);
    }

    [Fact]
    public void Load_FlippedByte_RejectedAsChecksumMismatch()
    {
        string path = SaveSample();
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load<float>(path));
        Assert.Contains("checksum mismatch", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Load_Truncated_RejectedAsTruncated()
    {
        string path = SaveSample();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        Assert.Contains("truncated", Assert.Throws<ModelFileException>(() => ModelFile.Load<float>(path)).Message);
        File.WriteAllBytes(path, bytes[..5]);
        Assert.Contains("truncated", Assert.Throws<ModelFileException>(() => ModelFile.Load<float>(path)).Message);
        File.WriteAllBytes(path, []);
        Assert.Contains("truncated", Assert.Throws<ModelFileException>(() => ModelFile.Load<float>(path)).Message);
    }

    [Fact]
    public void Load_OtherFileOrVersion_RejectedWithReason()
    {
        string path = Path.Combine(_folder, "notes.txt");
        File.WriteAllText(path, "this is not a model file at all, just text");
        Assert.Contains("bad magic", Assert.Throws<ModelFileException>(() => ModelFile.Load<float>(path)).Message);

        string model = SaveSample();
        var bytes = File.ReadAllBytes(model);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 7);
        File.WriteAllBytes(model, bytes);
        Assert.Contains("unsupported format version 7", Assert.Throws<ModelFileException>(() => ModelFile.Load<float>(model)).Message);
    }

    [Fact]
    public void Load_WrongValueType_Rejected()
    {
        string path = SaveSample();
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load<double>(path));
        Assert.Contains("32-bit values but 64-bit", e.Message);
    }

    [Fact]
    public void RestoreInto_MismatchedShapeOrMissingNetwork_Rejected()
    {
        var loaded = ModelFile.Load<float>(SaveSample());
        var other = Mlp<float>.Create([12, 64, 2], Activation.Relu, Activation.Tanh, new Random(1));
        var e = Assert.Throws<ModelFileException>(() => loaded.RestoreInto("actor", other));
        Assert.Contains("shape mismatch for network 'actor'", e.Message);
        Assert.Contains("has no network 'policy'", Assert.Throws<ModelFileException>(() => loaded.RestoreInto("policy", other)).Message);
        var critic = Mlp<float>.FromShape(loaded["critic"].Network.Shape);
        var adam = new AdamOptimizer<float>(critic, new AdamOptions(1e-3));
        Assert.Contains("without optimiser state", Assert.Throws<ModelFileException>(() => loaded.RestoreInto("critic", critic, adam)).Message);
    }

    [Fact]
    public void Load_ValidChecksumOverMalformedBody_RejectedAsMalformed()
    {
        // A hand-built file whose checksum is right but whose network claims a zero-width layer.
        var body = new List<byte>();
        body.AddRange("V2VNNMDL"u8.ToArray());
        body.AddRange(U32(1));
        body.AddRange(U32(4));
        body.AddRange(new byte[8]);
        body.AddRange(U32(0)); // metadata
        body.AddRange(U32(1)); // networks
        body.AddRange(U32(1));
        body.AddRange("a"u8.ToArray());
        body.AddRange(U32(1)); // layers
        body.AddRange(U32(0));
        body.AddRange(U32(3));
        body.Add(1);
        body.AddRange(new byte[16]);
        var bytes = body.ToArray();
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(16), bytes.Length + 4);
        var file = bytes.Concat(U32(Crc32.Compute(bytes))).ToArray();
        string path = Path.Combine(_folder, "bad.v2vnn");
        File.WriteAllBytes(path, file);
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load<float>(path));
        Assert.Contains("malformed body", e.Message);
        Assert.Contains("invalid shape", e.Message);
    }

    [Fact]
    public void Load_MissingFile_RejectedAsUnreadable()
    {
        string path = Path.Combine(_folder, "absent.v2vnn");
        Assert.Contains("cannot be read", Assert.Throws<ModelFileException>(() => ModelFile.Load<float>(path)).Message);
    }

    private static byte[] U32(uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return b;
    }

    private string SaveSample()
    {
        string path = Path.Combine(_folder, $"sample-{Guid.NewGuid():N}.v2vnn");
        ModelFile.Save(path, TrainedCheckpoint().Checkpoint);
        return path;
    }

    private static (ModelCheckpoint<float> Checkpoint, Mlp<float> Actor, AdamOptimizer<float> Adam) TrainedCheckpoint()
    {
        var actor = Mlp<float>.Create([12, 32, 32, 2], Activation.Relu, Activation.Tanh, new Random(4));
        var critic = Mlp<float>.Create([20, 16, 1], Activation.Relu, Activation.Identity, new Random(5));
        var adam = new AdamOptimizer<float>(actor, new AdamOptions(1e-3, MaxGradientNorm: 10));
        for (int i = 0; i < 3; i++)
        {
            TrainOnce(actor, adam, i);
        }

        var checkpoint = new ModelCheckpoint<float>(
            [new("actor", actor, adam), new("critic", critic)],
            new Dictionary<string, string> { ["episode"] = "17", ["method"] = "nash-maddpg" });
        return (checkpoint, actor, adam);
    }

    private static void TrainOnce(Mlp<float> network, AdamOptimizer<float> adam, int seed)
    {
        var random = new Random(seed);
        var input = new float[4 * 12];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (float)random.NextDouble();
        }

        adam.ZeroGrad();
        var output = network.Forward(input, 4).ToArray();
        var grad = new float[output.Length];
        Losses.MeanSquaredError<float>(output, new float[output.Length], grad);
        network.Backward(grad);
        adam.Step();
    }

    private static void AssertBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(actual[i]));
        }
    }
}
