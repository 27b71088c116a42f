using System.Numerics;

namespace V2V.Learning.Nn;

/// <summary>Loss functions that also write the gradient the network's Backward expects.</summary>
public static class Losses
{
    /// <summary>
    /// L = mean over all elements of (prediction - target)^2; writes dL/dprediction = 2 (prediction - target) / n
    /// into <paramref name="gradient"/> and returns L (the critic's TD loss, SPEC 7).
    /// </summary>
    public static T MeanSquaredError<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = prediction.Length;
        if (n == 0 || target.Length != n || gradient.Length != n)
        {
            throw new ArgumentException($"need equal, non-empty lengths (prediction {n}, target {target.Length}, gradient {gradient.Length})");
        }

        T scale = T.CreateChecked(2.0 / n);
        T sum = T.Zero;
        for (int i = 0; i < n; i++)
        {
            T diff = prediction[i] - target[i];
            sum += diff * diff;
            gradient[i] = scale * diff;
        }

        return sum / T.CreateChecked(n);
    }
}
