namespace V2V.Clearing;

/// <summary>SPEC 8's fairness indices over per-agent utilities: used by the run metrics and by the learning reward.</summary>
public static class Fairness
{
    /// <summary>
    /// SPEC 8: Jain = (sum x)^2 / (n sum x^2). With no agents, or all utilities zero, everyone is equal: 1.
    /// </summary>
    public static double Jain(IReadOnlyList<double> x)
    {
        double sum = 0, squares = 0;
        foreach (var v in x)
        {
            sum += v;
            squares += v * v;
        }

        return squares == 0 ? 1 : sum * sum / (x.Count * squares);
    }

    /// <summary>
    /// SPEC 8: Gini = sum_i sum_j |x_i - x_j| / (2 n^2 mean), computed in O(n log n) from the sorted values
    /// (sum_i sum_j |x_i - x_j| = 2 sum_k (2k - n + 1) x_(k), 0-based). Zero when the mean is zero.
    /// </summary>
    public static double Gini(IReadOnlyList<double> x)
    {
        var n = x.Count;
        if (n == 0)
        {
            return 0;
        }

        var sorted = new double[n];
        for (var i = 0; i < n; i++)
        {
            sorted[i] = x[i];
        }

        Array.Sort(sorted);
        double sum = 0, weighted = 0;
        for (var k = 0; k < n; k++)
        {
            sum += sorted[k];
            weighted += ((2.0 * k) - n + 1) * sorted[k];
        }

        var mean = sum / n;
        return mean == 0 ? 0 : 2 * weighted / (2.0 * n * n * mean);
    }
}
