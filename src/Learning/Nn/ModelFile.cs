using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace V2V.Learning.Nn;

/// <summary>
/// Saves and loads <see cref="ModelCheckpoint{T}"/>s in a small versioned binary format, little-endian throughout:
/// <code>
/// offset 0  8 bytes  magic "V2VNNMDL"
///        8  u32      format version (1)
///       12  u32      bytes per value (4 = float32, 8 = float64)
///       16  i64      total file length, trailer included (so truncation is named as such)
///       24  body     u32 metadata count, then (string key, string value) pairs
///                    u32 network count, then per network: string name; u32 layer count; per layer
///                    (u32 inputs, u32 outputs, u8 activation); the flat parameters; u8 has-optimiser and, if 1,
///                    f64 lr, f64 beta1, f64 beta2, f64 eps, u8 has-clip, f64 clip, i64 step, m[], v[]
///  end - 4  u32      CRC-32 of every byte before it
/// </code>
/// Strings are a u32 byte count then UTF-8. Values are written as their raw IEEE bits, so a round trip is bit for
/// bit. Any defect (bad magic, other version or value type, truncation, checksum, malformed body) is a
/// <see cref="ModelFileException"/> naming the file. Saving to a path is atomic: a temporary file in the same
/// folder is flushed to disk and renamed over the target, so a crash leaves the previous checkpoint intact.
/// </summary>
public static class ModelFile
{
    public const int FormatVersion = 1;
    private const int HeaderLength = 24;
    private const int TrailerLength = 4;
    private static ReadOnlySpan<byte> Magic => "V2VNNMDL"u8;

    public static void Save<T>(string path, ModelCheckpoint<T> checkpoint)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = Serialise(checkpoint);
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

    public static void Save<T>(Stream stream, ModelCheckpoint<T> checkpoint)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(Serialise(checkpoint));
    }

    public static ModelCheckpoint<T> Load<T>(string path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
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

        return Parse<T>(bytes, path);
    }

    /// <summary>Reads a whole checkpoint from <paramref name="stream"/>; <paramref name="sourceName"/> goes into messages.</summary>
    public static ModelCheckpoint<T> Load<T>(Stream stream, string sourceName)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Parse<T>(copy.ToArray(), sourceName);
    }

    private static byte[] Serialise<T>(ModelCheckpoint<T> checkpoint)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var w = new ModelFileWriter();
        w.Bytes(Magic);
        w.U32(FormatVersion);
        w.U32((uint)ValueCodec.Size<T>());
        w.I64(0); // total length, patched below
        w.U32((uint)checkpoint.Metadata.Count);
        foreach (KeyValuePair<string, string> pair in checkpoint.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.String(pair.Key);
            w.String(pair.Value);
        }

        w.U32((uint)checkpoint.Entries.Count);
        foreach (CheckpointEntry<T> entry in checkpoint.Entries)
        {
            w.String(entry.Name);
            w.U32((uint)entry.Network.Shape.Count);
            foreach (LayerShape layer in entry.Network.Shape)
            {
                w.U32((uint)layer.InputSize);
                w.U32((uint)layer.OutputSize);
                w.U8((byte)layer.Activation);
            }

            ValueCodec.Write<T>(w, entry.Network.Parameters);
            AdamOptimizer<T>? adam = entry.Optimizer;
            w.U8(adam is null ? (byte)0 : (byte)1);
            if (adam is not null)
            {
                AdamOptions o = adam.Options;
                w.F64(o.LearningRate);
                w.F64(o.Beta1);
                w.F64(o.Beta2);
                w.F64(o.Epsilon);
                w.U8(o.MaxGradientNorm is null ? (byte)0 : (byte)1);
                w.F64(o.MaxGradientNorm ?? 0.0);
                w.I64(adam.StepCount);
                ValueCodec.Write<T>(w, adam.FirstMoment);
                ValueCodec.Write<T>(w, adam.SecondMoment);
            }
        }

        long total = w.Length + TrailerLength;
        w.PatchI64(16, total);
        w.U32(Crc32.Compute(w.Written));
        return w.ToArray();
    }

    private static ModelCheckpoint<T> Parse<T>(byte[] bytes, string source)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (bytes.Length < Magic.Length)
        {
            throw new ModelFileException(source, $"truncated: only {bytes.Length} bytes, not even the magic");
        }

        if (!bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new ModelFileException(source, "bad magic: not a V2V model file");
        }

        if (bytes.Length < HeaderLength + TrailerLength)
        {
            throw new ModelFileException(source, $"truncated: {bytes.Length} bytes is shorter than the {HeaderLength + TrailerLength}-byte header and trailer");
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        if (version != FormatVersion)
        {
            throw new ModelFileException(source, $"unsupported format version {version} (this build reads version {FormatVersion})");
        }

        long declared = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(16));
        if (declared > bytes.Length)
        {
            throw new ModelFileException(source, $"truncated: {bytes.Length} of {declared} bytes present");
        }

        if (declared != bytes.Length)
        {
            throw new ModelFileException(source, $"length mismatch: header says {declared} bytes, file has {bytes.Length}");
        }

        int bodyEnd = bytes.Length - TrailerLength;
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bodyEnd));
        uint computed = Crc32.Compute(bytes.AsSpan(0, bodyEnd));
        if (stored != computed)
        {
            throw new ModelFileException(source, $"checksum mismatch (stored 0x{stored:X8}, computed 0x{computed:X8}): the file is corrupt");
        }

        uint valueSize = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12));
        if (valueSize != ValueCodec.Size<T>())
        {
            throw new ModelFileException(source, $"holds {valueSize * 8}-bit values but {ValueCodec.Size<T>() * 8}-bit ({typeof(T).Name}) were requested");
        }

        var r = new ModelFileReader(bytes.AsMemory(HeaderLength, bodyEnd - HeaderLength), source);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        uint metadataCount = r.U32();
        for (uint i = 0; i < metadataCount; i++)
        {
            string key = r.String();
            if (!metadata.TryAdd(key, r.String()))
            {
                throw r.Malformed($"metadata key '{key}' appears twice");
            }
        }

        var entries = new List<CheckpointEntry<T>>();
        uint networkCount = r.U32();
        for (uint i = 0; i < networkCount; i++)
        {
            entries.Add(ReadEntry<T>(ref r));
        }

        if (!r.AtEnd)
        {
            throw r.Malformed("unread bytes after the last network");
        }

        try
        {
            return new ModelCheckpoint<T>(entries, metadata, source);
        }
        catch (ArgumentException e)
        {
            throw r.Malformed(e.Message);
        }
    }

    private static CheckpointEntry<T> ReadEntry<T>(ref ModelFileReader r)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        string name = r.String();
        uint layerCount = r.U32();
        if (layerCount == 0 || layerCount > r.Remaining / 9)
        {
            throw r.Malformed($"network '{name}' claims {layerCount} layers");
        }

        var shape = new LayerShape[layerCount];
        for (int l = 0; l < shape.Length; l++)
        {
            uint inputs = r.U32();
            uint outputs = r.U32();
            byte activation = r.U8();
            if (inputs == 0 || outputs == 0 || inputs > int.MaxValue || outputs > int.MaxValue || !Enum.IsDefined((Activation)activation))
            {
                throw r.Malformed($"network '{name}' layer {l} has an invalid shape ({inputs}x{outputs}, activation {activation})");
            }

            shape[l] = new LayerShape((int)inputs, (int)outputs, (Activation)activation);
        }

        Mlp<T> network;
        try
        {
            long count = 0;
            foreach (LayerShape s in shape)
            {
                count += ((long)s.InputSize * s.OutputSize) + s.OutputSize;
            }

            if (count * ValueCodec.Size<T>() > r.Remaining)
            {
                throw r.Malformed($"network '{name}' needs {count} values but the file is shorter");
            }

            network = Mlp<T>.FromShape(shape);
        }
        catch (ArgumentException e)
        {
            throw r.Malformed($"network '{name}': {e.Message}");
        }

        ValueCodec.Read<T>(ref r, network.Parameters);
        AdamOptimizer<T>? optimizer = null;
        byte hasOptimizer = r.U8();
        if (hasOptimizer > 1)
        {
            throw r.Malformed($"network '{name}' has optimiser flag {hasOptimizer}");
        }

        if (hasOptimizer == 1)
        {
            double lr = r.F64(), beta1 = r.F64(), beta2 = r.F64(), eps = r.F64();
            bool hasClip = r.U8() == 1;
            double clip = r.F64();
            long step = r.I64();
            var m = new T[network.ParameterCount];
            var v = new T[network.ParameterCount];
            ValueCodec.Read<T>(ref r, m);
            ValueCodec.Read<T>(ref r, v);
            try
            {
                optimizer = new AdamOptimizer<T>(network, new AdamOptions(lr, beta1, beta2, eps, hasClip ? clip : null));
                optimizer.Restore(step, m, v);
            }
            catch (ArgumentException e)
            {
                throw r.Malformed($"network '{name}' optimiser state: {e.Message}");
            }
        }

        return new CheckpointEntry<T>(name, network, optimizer);
    }
}
