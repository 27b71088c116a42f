using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace V2V.Learning.Nn;

/// <summary>Little-endian append-only buffer for <see cref="ModelFile"/>.</summary>
internal sealed class ModelFileWriter
{
    private byte[] _buffer = new byte[4096];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public void Bytes(ReadOnlySpan<byte> data) => data.CopyTo(Take(data.Length));

    public void U8(byte value) => Take(1)[0] = value;

    public void U32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Take(4), value);

    public void I64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), value);

    public void F64(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Take(8), value);

    public void String(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int count = Encoding.UTF8.GetByteCount(value);
        U32((uint)count);
        Encoding.UTF8.GetBytes(value, Take(count));
    }

    public void PatchI64(int offset, long value) => BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(offset), value);

    public Span<byte> Take(int count)
    {
        if (Length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + count));
        }

        Span<byte> span = _buffer.AsSpan(Length, count);
        Length += count;
        return span;
    }

    public byte[] ToArray() => _buffer.AsSpan(0, Length).ToArray();
}

/// <summary>Bounds-checked little-endian cursor: running off the end is a <see cref="ModelFileException"/>.</summary>
internal struct ModelFileReader(ReadOnlyMemory<byte> body, string source)
{
    private int _position;

    public readonly int Remaining => body.Length - _position;

    public readonly bool AtEnd => _position == body.Length;

    public readonly ModelFileException Malformed(string problem) =>
        new(source, $"malformed body at byte {_position + 24}: {problem}");

    public ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw Malformed($"needs {count} more bytes, {Remaining} left");
        }

        ReadOnlySpan<byte> span = body.Span.Slice(_position, count);
        _position += count;
        return span;
    }

    public byte U8() => Take(1)[0];

    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public long I64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public double F64() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public string String()
    {
        uint count = U32();
        if (count > Remaining)
        {
            throw Malformed($"a string of {count} bytes with {Remaining} left");
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Take((int)count));
        }
        catch (ArgumentException e)
        {
            throw Malformed($"invalid UTF-8: {e.Message}");
        }
    }
}

/// <summary>Raw IEEE bits of float/double arrays in little-endian order (bit-exact, NaN payloads included).</summary>
internal static class ValueCodec
{
    public static int Size<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => typeof(T) == typeof(float) ? 4 : typeof(T) == typeof(double) ? 8 : throw new NotSupportedException(typeof(T).Name);

    public static void Write<T>(ModelFileWriter writer, ReadOnlySpan<T> values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<byte> target = writer.Take(values.Length * Size<T>());
        MemoryMarshal.AsBytes(values).CopyTo(target);
        if (!BitConverter.IsLittleEndian)
        {
            Reverse<T>(target);
        }
    }

    public static void Read<T>(ref ModelFileReader reader, Span<T> values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<byte> target = MemoryMarshal.AsBytes(values);
        reader.Take(target.Length).CopyTo(target);
        if (!BitConverter.IsLittleEndian)
        {
            Reverse<T>(target);
        }
    }

    private static void Reverse<T>(Span<byte> bytes)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Size<T>() == 4)
        {
            BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, uint>(bytes), MemoryMarshal.Cast<byte, uint>(bytes));
        }
        else
        {
            BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ulong>(bytes), MemoryMarshal.Cast<byte, ulong>(bytes));
        }
    }
}
