using FsCheck;
using FsCheck.Fluent;
using V2V.Learning.Maddpg;

namespace V2V.Learning.Tests.Maddpg;

public sealed class CriticContextTests
{
    private const int Row = CriticContext.RowSize;

    [Fact]
    public void Write_ThreeAgents_PoolsTheOthersByMeanAndMaxPerSide()
    {
        // Agents 0 and 1 buy, agent 2 sells; row d of agent k holds k + 1 in every column except column 0 = -k.
        var rows = new float[3 * Row];
        for (int k = 0; k < 3; k++)
        {
            Array.Fill(rows, k + 1, k * Row, Row);
            rows[k * Row] = -k;
        }

        var contexts = new float[3 * CriticContext.Size];
        CriticContext.Write(rows, [false, false, true], 3, 100, contexts);

        // Agent 0 sees buyer 1 alone (mean = max = its row) and seller 2.
        var c0 = contexts.AsSpan(0, CriticContext.Size);
        Assert.Equal(2f, c0[1]);
        Assert.Equal(-1f, c0[0]);
        Assert.Equal(2f, c0[Row + 1]);
        Assert.Equal(3f, c0[(2 * Row) + 1]);
        Assert.Equal(-2f, c0[3 * Row]);
        Assert.Equal(0.03f, c0[^1]);

        // Agent 2 (the seller) sees both buyers: mean 1.5, max 2; column 0: mean -0.5, max 0; no other seller: zeros.
        var c2 = contexts.AsSpan(2 * CriticContext.Size, CriticContext.Size);
        Assert.Equal(1.5f, c2[1]);
        Assert.Equal(-0.5f, c2[0]);
        Assert.Equal(2f, c2[Row + 1]);
        Assert.Equal(0f, c2[Row]);
        Assert.All(c2.Slice(2 * Row, 2 * Row).ToArray(), x => Assert.Equal(0f, x));
    }

    [Fact]
    public void Write_AgentsPermuted_EachAgentKeepsItsContext()
    {
        Prop.ForAll(
            Arb.From(Gen.Choose(1, 12).Zip(Gen.Choose(0, 10_000))),
            t =>
            {
                var (n, seed) = t;
                var random = new Random(seed);
                var rows = new float[n * Row];
                var sellers = new bool[n];
                for (int i = 0; i < rows.Length; i++)
                {
                    // Few distinct values, so ties in the maxima are exercised.
                    rows[i] = random.Next(-3, 4) / 2f;
                }

                for (int i = 0; i < n; i++)
                {
                    sellers[i] = random.Next(2) == 1;
                }

                var contexts = new float[n * CriticContext.Size];
                CriticContext.Write(rows, sellers, n, 100, contexts);

                var order = Enumerable.Range(0, n).OrderBy(_ => random.Next()).ToArray();
                var permutedRows = new float[rows.Length];
                var permutedSellers = new bool[n];
                for (int i = 0; i < n; i++)
                {
                    rows.AsSpan(order[i] * Row, Row).CopyTo(permutedRows.AsSpan(i * Row));
                    permutedSellers[i] = sellers[order[i]];
                }

                var permuted = new float[n * CriticContext.Size];
                CriticContext.Write(permutedRows, permutedSellers, n, 100, permuted);
                for (int i = 0; i < n; i++)
                {
                    var expected = contexts.AsSpan(order[i] * CriticContext.Size, CriticContext.Size).ToArray();
                    var actual = permuted.AsSpan(i * CriticContext.Size, CriticContext.Size).ToArray();
                    for (int d = 0; d < expected.Length; d++)
                    {
                        Assert.Equal(expected[d], actual[d], 1e-5f);
                    }
                }

                // And against a brute-force pooling of the others.
                for (int i = 0; i < n; i++)
                {
                    for (int g = 0; g < 2; g++)
                    {
                        var others = Enumerable.Range(0, n).Where(j => j != i && sellers[j] == (g == 1)).ToArray();
                        for (int d = 0; d < Row; d++)
                        {
                            float mean = others.Length == 0 ? 0 : (float)others.Average(j => rows[(j * Row) + d]);
                            float max = others.Length == 0 ? 0 : others.Max(j => rows[(j * Row) + d]);
                            Assert.Equal(mean, contexts[(i * CriticContext.Size) + (2 * g * Row) + d], 1e-5f);
                            Assert.Equal(max, contexts[(i * CriticContext.Size) + (((2 * g) + 1) * Row) + d]);
                        }
                    }
                }
            }).QuickCheckThrowOnFailure();
    }
}
