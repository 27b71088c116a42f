using V2V.Learning.Nn;

namespace V2V.Learning.Tests.Nn;

/// <summary>Central finite differences in float64, the independent reference for every analytic gradient.</summary>
internal static class GradientCheck
{
    public const double Step = 1e-6;

    /// <summary>d loss / d values[i] by (f(x + h) - f(x - h)) / 2h, restoring each value afterwards.</summary>
    public static double[] Numeric(Span<double> values, Func<double> loss)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double saved = values[i];
            values[i] = saved + Step;
            double plus = loss();
            values[i] = saved - Step;
            double minus = loss();
            values[i] = saved;
            result[i] = (plus - minus) / (2 * Step);
        }

        return result;
    }

    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, string what, double tolerance = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double scale = Math.Max(1.0, Math.Abs(expected[i]));
            Assert.True(
                Math.Abs(expected[i] - actual[i]) <= tolerance * scale,
                $"{what}[{i}]: numeric {expected[i]:R}, analytic {actual[i]:R}");
        }
    }

    public static double[] RandomArray(Random random, int length, double scale = 1.0)
    {
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = scale * ((2 * random.NextDouble()) - 1);
        }

        return values;
    }

    /// <summary>Sum of (output - target)^2 / n: the MSE the network's own Losses computes.</summary>
    public static double MseLoss(Mlp<double> network, double[] input, double[] target, int batch)
    {
        var output = network.Forward(input, batch);
        double sum = 0;
        for (int i = 0; i < output.Length; i++)
        {
            double d = output[i] - target[i];
            sum += d * d;
        }

        return sum / output.Length;
    }
}
