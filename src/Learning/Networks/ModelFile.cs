using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using V2V.Learning.Maddpg;

namespace V2V.Learning.Networks;

/// <summary>
/// Saves and loads model files (training checkpoints and trained actors), little-endian throughout:
/// <code>
/// offset 0  8 bytes  magic "V2VTORCH"
///        8  u32      format version (2)
///       12  i64      total file length, trailer included (so truncation is named as such)
///       20  u32      identity length, then the identity record (<see cref="ModelIdentity"/>, UTF-8 JSON)
///           u32      state count, then per state: u32 name length, name (UTF-8), i64 length, bytes: a TorchSharp
///                    state dict (Module.save of a network; its Adam moments and step count under "name.adam")
///  end - 32 32 bytes SHA-256 of every byte before it
/// </code>
/// Any defect (bad magic, other version, truncation, checksum, malformed record, another observation layout) is a
/// <see cref="ModelFileException"/> naming the file. Saving is atomic: a temporary file in the same folder is
/// flushed and renamed over the target, so a crash leaves the previous checkpoint intact.
/// </summary>
public static class ModelFile
{
    public const int FormatVersion = 2;

    /// <summary>The model's name in a training folder (a run's or study's <c>--model DIR</c> means this file in DIR).</summary>
    public const string DefaultName = "model.v2vnn";

    /// <summary>SPEC 7's 12 observation values in order; a model trained on another layout is refused.</summary>
    public const string ObservationLayout =
        "soc, target-soc, soc-gap, need-or-surplus/battery, urgency, steps-left/stay-max, last-price/p-grid, "
        + "recent-price/p-grid, role-neutral, role-buyer, role-seller, step-of-day";

    private const string OptimiserSuffix = ".adam";
    private const int HeaderLength = 20;
    private const int TrailerLength = 32;
    private static ReadOnlySpan<byte> Magic => "V2VTORCH"u8;

    public static void Save(
        string path,
        IReadOnlyList<(string Name, TorchMlp Network)> networks,
        IReadOnlyList<(string Name, TorchAdam Optimizer)> optimisers,
        TrainingStamp? training)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var states = new List<(string, byte[])>();
        var records = new List<NetworkRecord>();
        using var weights = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, network) in networks)
        {
            using var stream = new MemoryStream();
            network.Module.save(stream);
            states.Add((name, stream.ToArray()));
            weights.AppendData(stream.ToArray());
            records.Add(new NetworkRecord(name, network.Sizes, network.Output));
        }

        foreach (var (name, optimizer) in optimisers)
        {
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            {
                optimizer.Save(writer);
            }

            states.Add((name + OptimiserSuffix, stream.ToArray()));
        }

        var identity = new ModelIdentity(
            FormatVersion, training, ObservationLayout, ActionMapping.Size, records,
            [.. optimisers.Select(o => o.Name)], Convert.ToHexStringLower(weights.GetHashAndReset()));
        WriteAtomically(path, Serialise(identity, states));
    }

    /// <summary>Reads and checks a whole file; the networks are built from it by <see cref="ModelContents"/>.</summary>
    public static ModelContents Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException(path, $"cannot be read: {e.Message}", e);
        }

        return Parse(bytes, path);
    }

    private static byte[] Serialise(ModelIdentity identity, List<(string Name, byte[] State)> states)
    {
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write((uint)FormatVersion);
            w.Write(0L); // total length, patched below
            byte[] json = JsonSerializer.SerializeToUtf8Bytes(identity, ModelIdentity.Json);
            w.Write((uint)json.Length);
            w.Write(json);
            w.Write((uint)states.Count);
            foreach (var (name, state) in states)
            {
                byte[] utf8 = Encoding.UTF8.GetBytes(name);
                w.Write((uint)utf8.Length);
                w.Write(utf8);
                w.Write((long)state.Length);
                w.Write(state);
            }
        }

        var bytes = new byte[body.Length + TrailerLength];
        body.ToArray().CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(12), bytes.Length);
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - TrailerLength), bytes.AsSpan(bytes.Length - TrailerLength));
        return bytes;
    }

    private static ModelContents Parse(byte[] bytes, string source)
    {
        if (bytes.Length >= Magic.Length && !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new ModelFileException(source, "bad magic: not a V2V model file (or one from before format 2: retrain it)");
        }

        if (bytes.Length < HeaderLength)
        {
            throw new ModelFileException(source, $"truncated: only {bytes.Length} bytes, not even the header");
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        if (version != FormatVersion)
        {
            throw new ModelFileException(source, $"is format version {version}; this build reads version {FormatVersion}");
        }

        long length = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(12));
        if (length != bytes.Length || length < HeaderLength + TrailerLength)
        {
            throw new ModelFileException(source, length > bytes.Length
                ? $"truncated: {bytes.Length} of {length} bytes"
                : $"length mismatch: the header says {length} bytes, the file has {bytes.Length}");
        }

        int bodyEnd = bytes.Length - TrailerLength;
        if (!SHA256.HashData(bytes.AsSpan(0, bodyEnd)).AsSpan().SequenceEqual(bytes.AsSpan(bodyEnd)))
        {
            throw new ModelFileException(source, "checksum mismatch: the file is corrupt");
        }

        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, HeaderLength, bodyEnd - HeaderLength), Encoding.UTF8);
            var identity = JsonSerializer.Deserialize<ModelIdentity>(r.ReadBytes(checked((int)r.ReadUInt32())), ModelIdentity.Json)
                ?? throw new InvalidDataException("empty identity record");
            var states = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            uint count = r.ReadUInt32();
            for (uint i = 0; i < count; i++)
            {
                string name = Encoding.UTF8.GetString(r.ReadBytes(checked((int)r.ReadUInt32())));
                if (!states.TryAdd(name, r.ReadBytes(checked((int)r.ReadInt64()))))
                {
                    throw new InvalidDataException($"state '{name}' appears twice");
                }
            }

            if (r.BaseStream.Position != r.BaseStream.Length)
            {
                throw new InvalidDataException("unread bytes after the last state");
            }

            return new ModelContents(source, identity, states, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or EndOfStreamException or OverflowException or NotSupportedException)
        {
            throw new ModelFileException(source, $"malformed: {e.Message}", e);
        }
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        string full = Path.GetFullPath(path);
        string temp = $"{full}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
