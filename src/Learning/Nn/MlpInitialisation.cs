namespace V2V.Learning.Nn;

/// <summary>
/// How <see cref="Mlp{T}.Create"/> draws parameters. Biases start at zero. Hidden weights are uniform:
/// He, U(+-sqrt(6 / fan_in)), before a ReLU (He et al. 2015); Glorot, U(+-sqrt(6 / (fan_in + fan_out))),
/// before tanh or identity (Glorot and Bengio 2010). The final layer's weights AND biases are
/// U(+-<see cref="FinalLayerLimit"/>) as in DDPG (Lillicrap et al. 2016, section 7), so initial actions sit near
/// the centre of the tanh and initial Q-values near zero; null gives it the hidden-layer rule instead.
/// Values are drawn layer by layer, weights in storage order then biases, from the one <see cref="Random"/>:
/// the same seed gives the same network, in float and in double (each value is drawn in double, then rounded).
/// </summary>
public sealed record MlpInitialisation(double? FinalLayerLimit)
{
    /// <summary>The DDPG default, 3e-3.</summary>
    public static MlpInitialisation Ddpg { get; } = new(3e-3);

    /// <summary>He/Glorot for every layer, the final one included.</summary>
    public static MlpInitialisation FanScaled { get; } = new((double?)null);
}
