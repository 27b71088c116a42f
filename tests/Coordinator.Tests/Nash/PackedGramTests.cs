using FsCheck;
using FsCheck.Fluent;
using V2V.Coordinator.Clearing.Nash;

namespace V2V.Coordinator.Tests.Nash;

/// <summary>
/// The tiled Gram kernel of the Newton system against a plain triple loop: every entry of the lower triangle, for
/// shapes that do and do not fill whole tiles, and nothing written outside the rows x rows output.
/// </summary>
public sealed class PackedGramTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(8, 8)]
    [InlineData(13, 2)]
    [InlineData(100, 100)]
    [InlineData(37, 64)]
    public void NegatedLower_Shapes_MatchesPlainTripleLoop(int rows, int depth)
    {
        AssertMatchesReference(rows, depth, seed: rows * 1000 + depth);
    }

    [Fact]
    public void NegatedLower_RandomShapes_MatchesPlainTripleLoop()
    {
        var shapes = Gen.Choose(1, 70).SelectMany(rows => Gen.Choose(1, 40).SelectMany(depth => Gen.Choose(0, 1 << 20)
            .Select(seed => (rows, depth, seed))));
        Prop.ForAll(shapes.ToArbitrary(), shape => AssertMatchesReference(shape.rows, shape.depth, shape.seed)).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void NegatedLower_BufferTooSmall_NamesWhatItNeeds()
    {
        var error = Assert.Throws<ArgumentException>(() => PackedGram.NegatedLower(new double[10], 2, 9, new double[81]));
        Assert.Contains("a needs 32 entries", error.Message);
    }

    private static void AssertMatchesReference(int rows, int depth, int seed)
    {
        var random = new Random(seed);
        var dense = new double[depth, rows];
        var packed = new double[PackedGram.PaddedRows(rows) * depth];
        for (var k = 0; k < depth; k++)
        {
            for (var col = 0; col < rows; col++)
            {
                dense[k, col] = random.NextDouble() - 0.5;
                packed[PackedGram.Index(depth, k, col)] = dense[k, col];
            }
        }

        // One sentinel past the end: a store beyond rows x rows would overwrite it.
        var c = new double[(rows * rows) + 1];
        Array.Fill(c, double.NaN);
        PackedGram.NegatedLower(packed, depth, rows, c);

        for (var r = 0; r < rows; r++)
        {
            for (var col = 0; col <= r; col++)
            {
                var expected = 0.0;
                for (var k = 0; k < depth; k++)
                {
                    expected -= dense[k, r] * dense[k, col];
                }

                Assert.True(Math.Abs(c[(r * rows) + col] - expected) <= 1e-13 * depth, $"({r}, {col}) of {rows} x {rows}, depth {depth}: {c[(r * rows) + col]} vs {expected}");
            }

            // Above the diagonal, only entries inside the diagonal tile may be written.
            for (var col = (r / 8 * 8) + 8; col < rows; col++)
            {
                Assert.True(double.IsNaN(c[(r * rows) + col]), $"({r}, {col}) above the diagonal tiles was written");
            }
        }

        Assert.True(double.IsNaN(c[rows * rows]), "wrote past the output");
    }
}
