namespace V2V.Host.Study;

/// <summary>The order statistics and dispersion the report uses.</summary>
internal static class StudyStatistics
{
    /// <summary>
    /// The q-quantile by linear interpolation between order statistics (Hyndman and Fan, "Sample quantiles in
    /// statistical packages", 1996, definition 7; R's and NumPy's default): position h = (n - 1) q.
    /// </summary>
    public static double Quantile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        double h = (sorted.Length - 1) * q;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    public static double Median(IReadOnlyList<double> values) => Quantile(values, 0.5);

    /// <summary>Q3 - Q1.</summary>
    public static double InterquartileRange(IReadOnlyList<double> values) => Quantile(values, 0.75) - Quantile(values, 0.25);

    /// <summary>
    /// Coefficient of variation: the sample standard deviation (n - 1 in the denominator) over the mean; NaN for
    /// fewer than two values or a zero mean.
    /// </summary>
    public static double CoefficientOfVariation(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
        {
            return double.NaN;
        }

        double mean = values.Average();
        if (mean == 0)
        {
            return double.NaN;
        }

        double sumSquares = values.Sum(v => (v - mean) * (v - mean));
        return Math.Sqrt(sumSquares / (values.Count - 1)) / Math.Abs(mean);
    }

    /// <summary>(value - reference) / |reference|; NaN when the reference is zero.</summary>
    public static double RelativeChange(double value, double reference) =>
        reference == 0 ? double.NaN : (value - reference) / Math.Abs(reference);
}
