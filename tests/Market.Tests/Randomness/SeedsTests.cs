using FsCheck;
using FsCheck.Fluent;
using V2V.Market.Randomness;

namespace V2V.Market.Tests.Randomness;

/// <summary>Seed derivation: the published SplitMix64 and FNV-1a values, and the properties actors rely on.</summary>
public sealed class SeedsTests
{
    [Fact]
    public void Mix_Zero_IsTheFirstSplitMix64OutputForSeedZero()
    {
        // SplitMix64 (Steele, Lea, Flood 2014) seeded with 0: its first output is 0xE220A8397B1DCDAF.
        Assert.Equal(0xE220A8397B1DCDAFUL, Seeds.Mix(0));
    }

    [Theory]
    [InlineData("", 0xCBF29CE484222325UL)]
    [InlineData("a", 0xAF63DC4C8601EC8CUL)]
    [InlineData("foobar", 0x85944171F73967E8UL)]
    public void Hash_KnownStrings_AreTheFnv1a64Values(string name, ulong expected)
    {
        Assert.Equal(expected, Seeds.Hash(name));
    }

    [Fact]
    public void Derive_SameSeedAndStream_IsNonNegativeAndReproducible()
    {
        Prop.ForAll(
            Arb.From(Gen.Choose(int.MinValue, int.MaxValue).Zip(Gen.Choose(0, 100_000))),
            t =>
            {
                var (seed, agent) = t;
                var stream = $"ev-{agent:D6}";
                var a = Seeds.Derive(seed, stream);
                return a >= 0 && a == Seeds.Derive(seed, stream)
                    && Seeds.CreateRandom(seed, stream).Next() == new Random(a).Next();
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Derive_OneThousandAgentStreams_GiveOneThousandDistinctSeeds()
    {
        var seeds = Enumerable.Range(0, 1000).Select(i => Seeds.Derive(7, $"ev-{i:D6}")).ToHashSet();

        Assert.Equal(1000, seeds.Count);
        Assert.NotEqual(Seeds.Derive(7, "ev-000001"), Seeds.Derive(8, "ev-000001"));
    }
}
