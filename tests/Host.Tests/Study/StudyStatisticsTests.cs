using V2V.Host.Study;

namespace V2V.Host.Tests.Study;

public sealed class StudyStatisticsTests
{
    [Theory]
    [InlineData(0.25, 1.75)]
    [InlineData(0.5, 2.5)]
    [InlineData(0.75, 3.25)]
    [InlineData(1.0, 4.0)]
    public void Quantile_FourValues_InterpolatesLinearly(double q, double expected) =>
        Assert.Equal(expected, StudyStatistics.Quantile([4, 1, 3, 2], q), 12);

    [Fact]
    public void InterquartileRange_FiveValues_HandComputed() =>
        // Q1 at position 1 (value 2), Q3 at position 3 (value 10).
        Assert.Equal(8, StudyStatistics.InterquartileRange([10, 1, 2, 7, 100]), 12);

    [Fact]
    public void CoefficientOfVariation_TwoValues_SampleStdOverMean() =>
        // mean 3, sample std sqrt(((2-3)^2 + (4-3)^2) / 1) = sqrt(2).
        Assert.Equal(Math.Sqrt(2) / 3, StudyStatistics.CoefficientOfVariation([2, 4]), 12);

    [Fact]
    public void CoefficientOfVariation_OneValueOrZeroMean_NotANumber()
    {
        Assert.True(double.IsNaN(StudyStatistics.CoefficientOfVariation([5])));
        Assert.True(double.IsNaN(StudyStatistics.CoefficientOfVariation([-1, 1])));
    }

    [Fact]
    public void RelativeChange_AgainstBaseline_FractionOfBaseline() =>
        Assert.Equal(0.616, StudyStatistics.RelativeChange(1.616, 1.0), 12);
}
