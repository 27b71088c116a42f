namespace V2V.Learning.Nn;

/// <summary>
/// Adam hyper-parameters (Kingma and Ba 2015). The learning rates of SPEC 7 come from configuration; the betas
/// and epsilon default to the paper's values. <see cref="MaxGradientNorm"/>, when set, rescales the whole gradient
/// to that global L2 norm before a step (off by default, as in SPEC 7).
/// </summary>
public sealed record AdamOptions(
    double LearningRate, double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8, double? MaxGradientNorm = null)
{
    public void Validate()
    {
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be positive and finite");
        }

        if (!(Beta1 >= 0 && Beta1 < 1) || !(Beta2 >= 0 && Beta2 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Beta1), $"betas must lie in [0, 1), got {Beta1} and {Beta2}");
        }

        if (!(Epsilon > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "epsilon must be positive");
        }

        if (MaxGradientNorm is double max && !(max > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxGradientNorm), max, "gradient norm cap must be positive");
        }
    }
}
