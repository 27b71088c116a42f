using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace V2V.Clearing.Nash;

/// <summary>
/// The lower triangle of the negated Gram matrix C = -A^T A of a depth x rows matrix A stored in column strips one
/// 256-bit vector wide (<see cref="Width"/>: 4 doubles or 8 floats): A[k, col] is at <see cref="Index"/>(depth, k, col),
/// so the columns of a strip are contiguous for each k and a tile streams both of its operands. Written for the Schur
/// complement of <see cref="NewtonSystem"/>, which fills A in this layout directly, in double precision or, in the
/// early iterations, in single precision (twice the entries per fused multiply-add).
/// </summary>
/// <remarks>
/// A tile is 8 rows of C (broadcasts) by two vectors of columns (8 doubles or 16 floats): 16 accumulators, each updated
/// by one fused multiply-add per row of A. Measured on the Schur complement of an N = 100 every-pair book (100 x 100,
/// depth 100; Zen 5), double: 29-43 us for the previous 4 x 8 tiles over a row-major A with separate multiplies and
/// adds, 20-24 us with these; 12-row tiles were no faster. Written with Vector256 rather than Vector&lt;T&gt;: with
/// DOTNET_MaxVectorTBitWidth=512 the Vector&lt;T&gt; form ran 4x slower. The columns of A are padded to whole tiles
/// (<see cref="PaddedRows"/>) with zeros; entries of C above the diagonal inside a tile that crosses the diagonal are
/// written too (never read), and rows or columns past <c>rows</c> never.
/// </remarks>
internal static class PackedGram<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Columns per strip, and the distance between A[k, col] and A[k + 1, col].</summary>
    public static int Width => Vector256<T>.Count;

    private const int TileRows = 8;

    private static int TileColumns => 2 * Width;

    private static int Padding => Math.Max(TileRows, TileColumns);

    /// <summary>Columns of A rounded up to whole tiles: the buffer holds depth x this.</summary>
    public static int PaddedRows(int rows) => (rows + Padding - 1) / Padding * Padding;

    /// <summary>Position of A[k, col] in the buffer of a matrix with the given depth.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Index(int depth, int k, int col) => ((col / Width) * depth * Width) + (k * Width) + (col % Width);

    /// <summary>c[r * rows + col] = -sum_k A[k, r] A[k, col] for col &lt;= r &lt; rows (c row-major).</summary>
    public static void NegatedLower(T[] a, int depth, int rows, T[] c, SolverDeadline deadline = default)
    {
        if (a.Length < PaddedRows(rows) * depth || c.Length < rows * rows)
        {
            throw new ArgumentException($"a needs {PaddedRows(rows) * depth} entries and c {rows * rows}");
        }

        var tileColumns = TileColumns;
        Span<T> edge = stackalloc T[TileRows * 16];
        for (var r0 = 0; r0 < rows; r0 += TileRows)
        {
            // A band of tiles costs O(r0 x depth): up to ~0.1 s at 10,000 orders, so the budget is read per band.
            deadline.Check();
            for (var c0 = 0; c0 <= r0; c0 += tileColumns)
            {
                // Tiles inside C are stored in place; those that overhang its last rows or columns go through a buffer.
                if (r0 + TileRows <= rows && c0 + tileColumns <= rows)
                {
                    Tile(a, depth, r0, c0, ref c[(r0 * rows) + c0], rows);
                    continue;
                }

                Tile(a, depth, r0, c0, ref edge[0], tileColumns);
                var width = Math.Min(tileColumns, rows - c0);
                for (var r = 0; r < TileRows && r0 + r < rows; r++)
                {
                    edge.Slice(r * tileColumns, width).CopyTo(c.AsSpan(((r0 + r) * rows) + c0, width));
                }
            }
        }
    }

    // target[r * stride + j] = -sum_k A[k, r0 + r] A[k, c0 + j] for r in [0, 8), j in [0, 2 Width).
    private static void Tile(T[] a, int depth, int r0, int c0, ref T target, int stride)
    {
        var w = Width;
        ref var a0 = ref MemoryMarshal.GetArrayDataReference(a);
        ref var b0 = ref Unsafe.Add(ref a0, Index(depth, 0, c0));
        ref var b1 = ref Unsafe.Add(ref a0, Index(depth, 0, c0 + w));
        // The tile's 8 rows: two strips of 4 doubles, or the halves of one strip of 8 floats.
        ref var top = ref Unsafe.Add(ref a0, Index(depth, 0, r0));
        ref var bottom = ref Unsafe.Add(ref a0, Index(depth, 0, r0 + 4));
        Vector256<T> s00 = default, s01 = default, s10 = default, s11 = default, s20 = default, s21 = default, s30 = default, s31 = default;
        Vector256<T> s40 = default, s41 = default, s50 = default, s51 = default, s60 = default, s61 = default, s70 = default, s71 = default;
        var end = depth * w;
        for (var o = 0; o < end; o += w)
        {
            var v0 = Vector256.LoadUnsafe(ref b0, (nuint)o);
            var v1 = Vector256.LoadUnsafe(ref b1, (nuint)o);
            var x = Vector256.Create(Unsafe.Add(ref top, o));
            s00 = MultiplyAdd(x, v0, s00);
            s01 = MultiplyAdd(x, v1, s01);
            x = Vector256.Create(Unsafe.Add(ref top, o + 1));
            s10 = MultiplyAdd(x, v0, s10);
            s11 = MultiplyAdd(x, v1, s11);
            x = Vector256.Create(Unsafe.Add(ref top, o + 2));
            s20 = MultiplyAdd(x, v0, s20);
            s21 = MultiplyAdd(x, v1, s21);
            x = Vector256.Create(Unsafe.Add(ref top, o + 3));
            s30 = MultiplyAdd(x, v0, s30);
            s31 = MultiplyAdd(x, v1, s31);
            x = Vector256.Create(Unsafe.Add(ref bottom, o));
            s40 = MultiplyAdd(x, v0, s40);
            s41 = MultiplyAdd(x, v1, s41);
            x = Vector256.Create(Unsafe.Add(ref bottom, o + 1));
            s50 = MultiplyAdd(x, v0, s50);
            s51 = MultiplyAdd(x, v1, s51);
            x = Vector256.Create(Unsafe.Add(ref bottom, o + 2));
            s60 = MultiplyAdd(x, v0, s60);
            s61 = MultiplyAdd(x, v1, s61);
            x = Vector256.Create(Unsafe.Add(ref bottom, o + 3));
            s70 = MultiplyAdd(x, v0, s70);
            s71 = MultiplyAdd(x, v1, s71);
        }

        Store(ref target, 0, stride, s00, s01);
        Store(ref target, 1, stride, s10, s11);
        Store(ref target, 2, stride, s20, s21);
        Store(ref target, 3, stride, s30, s31);
        Store(ref target, 4, stride, s40, s41);
        Store(ref target, 5, stride, s50, s51);
        Store(ref target, 6, stride, s60, s61);
        Store(ref target, 7, stride, s70, s71);
    }

    // One fused multiply-add; the type tests are constants to the JIT.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> MultiplyAdd(Vector256<T> x, Vector256<T> y, Vector256<T> addend)
    {
        if (typeof(T) == typeof(double))
        {
            return Vector256.MultiplyAddEstimate(x.As<T, double>(), y.As<T, double>(), addend.As<T, double>()).As<double, T>();
        }

        if (typeof(T) == typeof(float))
        {
            return Vector256.MultiplyAddEstimate(x.As<T, float>(), y.As<T, float>(), addend.As<T, float>()).As<float, T>();
        }

        return (x * y) + addend;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref T target, int row, int stride, Vector256<T> left, Vector256<T> right)
    {
        (-left).StoreUnsafe(ref target, (nuint)(row * stride));
        (-right).StoreUnsafe(ref target, (nuint)((row * stride) + Width));
    }
}
