using FsCheck;
using FsCheck.Fluent;
using V2V.Clearing;

namespace V2V.Clearing.Tests;

public sealed class FairnessTests
{
    [Fact]
    public void Jain_EqualValues_IsOne_OneWinner_IsOneOverN()
    {
        Assert.Equal(1, Fairness.Jain([2, 2, 2]), 12);
        Assert.Equal(0.25, Fairness.Jain([5, 0, 0, 0]), 12);
    }

    [Fact]
    public void Gini_OneWinner_IsOneMinusOneOverN() =>
        Assert.Equal(0.75, Fairness.Gini([0, 0, 0, 8]), 12);

    [Fact]
    public void Gini_SortedFormula_AgreesWithTheDoubleSumOfSpec8()
    {
        Prop.ForAll(
            Gen.ArrayOf(Gen.Choose(0, 1000).Select(i => i / 100.0)).Where(a => a.Length > 0).ToArbitrary(),
            x =>
            {
                double pairs = 0, sum = 0;
                foreach (var a in x)
                {
                    sum += a;
                    foreach (var b in x)
                    {
                        pairs += Math.Abs(a - b);
                    }
                }

                var mean = sum / x.Length;
                var expected = mean == 0 ? 0 : pairs / (2.0 * x.Length * x.Length * mean);
                return Math.Abs(Fairness.Gini(x) - expected) < 1e-9;
            }).QuickCheckThrowOnFailure();
    }
}
