using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using V2V.Clearing.Nash;

namespace V2V.Clearing.Tests.Nash;

/// <summary>
/// The tiled Gram kernel of the Newton system against a plain triple loop, in double and in single precision: every
/// entry of the lower triangle, for shapes that do and do not fill whole tiles, and nothing written outside the tiles
/// that cross the diagonal or past the rows x rows output.
/// </summary>
public sealed class PackedGramTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(8, 8)]
    [InlineData(13, 2)]
    [InlineData(16, 7)]
    [InlineData(100, 100)]
    [InlineData(37, 64)]
    public void NegatedLower_Shapes_MatchesPlainTripleLoop(int rows, int depth)
    {
        AssertMatchesReference<double>(rows, depth, seed: rows * 1000 + depth);
        AssertMatchesReference<float>(rows, depth, seed: rows * 1000 + depth);
    }

    [Fact]
    public void NegatedLower_RandomShapes_MatchesPlainTripleLoop()
    {
        var shapes = Gen.Choose(1, 70).SelectMany(rows => Gen.Choose(1, 40).SelectMany(depth => Gen.Choose(0, 1 << 20)
            .Select(seed => (rows, depth, seed))));
        Prop.ForAll(shapes.ToArbitrary(), shape =>
        {
            AssertMatchesReference<double>(shape.rows, shape.depth, shape.seed);
            AssertMatchesReference<float>(shape.rows, shape.depth, shape.seed);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void NegatedLower_BufferTooSmall_NamesWhatItNeeds()
    {
        var error = Assert.Throws<ArgumentException>(() => PackedGram<double>.NegatedLower(new double[10], 2, 9, new double[81]));
        Assert.Contains("a needs 32 entries", error.Message);
        var single = Assert.Throws<ArgumentException>(() => PackedGram<float>.NegatedLower(new float[10], 2, 9, new float[81]));
        Assert.Contains("a needs 32 entries", single.Message);
    }

    private static void AssertMatchesReference<T>(int rows, int depth, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var dense = new double[depth, rows];
        var packed = new T[PackedGram<T>.PaddedRows(rows) * depth];
        for (var k = 0; k < depth; k++)
        {
            for (var col = 0; col < rows; col++)
            {
                var value = T.CreateTruncating(random.NextDouble() - 0.5);
                dense[k, col] = double.CreateTruncating(value);
                packed[PackedGram<T>.Index(depth, k, col)] = value;
            }
        }

        // One sentinel past the end: a store beyond rows x rows would overwrite it.
        var c = new T[(rows * rows) + 1];
        Array.Fill(c, T.NaN);
        PackedGram<T>.NegatedLower(packed, depth, rows, c);

        // Sums of depth products of numbers below 1/2, each rounded in T.
        var tolerance = (typeof(T) == typeof(float) ? 1e-6 : 1e-13) * depth;
        var tileColumns = 2 * PackedGram<T>.Width;
        for (var r = 0; r < rows; r++)
        {
            for (var col = 0; col <= r; col++)
            {
                var expected = 0.0;
                for (var k = 0; k < depth; k++)
                {
                    expected -= dense[k, r] * dense[k, col];
                }

                var actual = double.CreateTruncating(c[(r * rows) + col]);
                Assert.True(Math.Abs(actual - expected) <= tolerance, $"{typeof(T).Name} ({r}, {col}) of {rows} x {rows}, depth {depth}: {actual} vs {expected}");
            }

            // Above the diagonal, only entries inside the tiles that cross it may be written: a tile is 8 rows by
            // two vectors of columns, and its first column is at most its first row.
            var firstRow = r / 8 * 8;
            for (var col = (firstRow / tileColumns * tileColumns) + tileColumns; col < rows; col++)
            {
                Assert.True(T.IsNaN(c[(r * rows) + col]), $"{typeof(T).Name} ({r}, {col}) above the diagonal tiles was written");
            }
        }

        Assert.True(T.IsNaN(c[rows * rows]), "wrote past the output");
    }
}
