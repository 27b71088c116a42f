namespace V2V.Learning.Networks;

/// <summary>
/// How <see cref="TorchMlp.Create"/> draws parameters, from our own seeded <see cref="Random"/> rather than torch's
/// generator, so that the same seed gives the same network on every machine and library version. Biases start at
/// zero. Hidden weights are uniform: He, U(+-sqrt(6 / fan_in)), before a ReLU (He et al. 2015); Glorot,
/// U(+-sqrt(6 / (fan_in + fan_out))), before tanh or identity (Glorot and Bengio 2010). The final layer's weights
/// AND biases are U(+-<see cref="FinalLayerLimit"/>) as in DDPG (Lillicrap et al. 2016, section 7), so initial
/// actions sit near the centre of the tanh and initial Q-values near zero; null gives it the hidden-layer rule.
/// Values are drawn layer by layer, weights input-major (for input i, every output j) then biases, each in double
/// then rounded to float: the draw order of the earlier hand-written networks, so a seed gives the same numbers.
/// </summary>
public sealed record NetworkInitialisation(double? FinalLayerLimit)
{
    /// <summary>The DDPG default, 3e-3.</summary>
    public static NetworkInitialisation Ddpg { get; } = new(3e-3);

    /// <summary>He/Glorot for every layer, the final one included.</summary>
    public static NetworkInitialisation FanScaled { get; } = new((double?)null);

    /// <summary>Every parameter in <see cref="TorchMlp.GetParameters"/>'s layout (weight [out x in] row-major, then bias).</summary>
    public float[] Draw(IReadOnlyList<int> sizes, Random random)
    {
        int count = 0;
        for (int l = 0; l + 1 < sizes.Count; l++)
        {
            count += (sizes[l] * sizes[l + 1]) + sizes[l + 1];
        }

        var flat = new float[count];
        int at = 0;
        for (int l = 0; l + 1 < sizes.Count; l++)
        {
            int inputs = sizes[l], outputs = sizes[l + 1];
            bool final = l == sizes.Count - 2;
            double limit = final && FinalLayerLimit is double finalLimit
                ? finalLimit
                : !final ? Math.Sqrt(6.0 / inputs) : Math.Sqrt(6.0 / (inputs + outputs));
            for (int i = 0; i < inputs; i++)
            {
                for (int j = 0; j < outputs; j++)
                {
                    flat[at + (j * inputs) + i] = Uniform(limit, random);
                }
            }

            at += inputs * outputs;
            for (int j = 0; j < outputs; j++)
            {
                flat[at + j] = final && FinalLayerLimit is double biasLimit ? Uniform(biasLimit, random) : 0f;
            }

            at += outputs;
        }

        return flat;
    }

    private static float Uniform(double limit, Random random) => (float)(limit * ((2.0 * random.NextDouble()) - 1.0));
}
