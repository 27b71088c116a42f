namespace V2V.Learning.Nn;

/// <summary>Element-wise non-linearity applied after a dense layer's affine map.</summary>
/// <remarks>The numeric values are part of the model file format (<see cref="ModelFile"/>); never renumber.</remarks>
public enum Activation : byte
{
    Identity = 0,
    Relu = 1,
    Tanh = 2,
}
