namespace V2V.Learning.Nn;

/// <summary>The shape of one dense layer: what the model file records and what a restore must match.</summary>
public readonly record struct LayerShape(int InputSize, int OutputSize, Activation Activation)
{
    /// <summary>Weights (InputSize x OutputSize) plus biases (OutputSize).</summary>
    public int ParameterCount => (InputSize * OutputSize) + OutputSize;

    public override string ToString() => $"{InputSize}x{OutputSize} {Activation}";
}
