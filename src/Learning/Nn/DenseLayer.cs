using System.Numerics;
using System.Numerics.Tensors;

namespace V2V.Learning.Nn;

/// <summary>
/// y = f(x W + b) for a batch of row vectors. A view onto its network's flat parameter and gradient arrays
/// (so the optimiser, soft updates and checkpoints each work on one contiguous span).
/// Weights are stored input-major: <c>Weights[i * OutputSize + o]</c> connects input i to output o, which makes
/// the batched forward pass a broadcast-and-accumulate over contiguous rows of W.
/// </summary>
public sealed class DenseLayer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _parameters;
    private readonly T[] _gradients;
    private readonly int _offset;

    internal DenseLayer(T[] parameters, T[] gradients, int offset, LayerShape shape)
    {
        _parameters = parameters;
        _gradients = gradients;
        _offset = offset;
        Shape = shape;
    }

    public LayerShape Shape { get; }

    public int InputSize => Shape.InputSize;

    public int OutputSize => Shape.OutputSize;

    public Activation Activation => Shape.Activation;

    public Span<T> Weights => _parameters.AsSpan(_offset, InputSize * OutputSize);

    public Span<T> Bias => _parameters.AsSpan(_offset + (InputSize * OutputSize), OutputSize);

    public ReadOnlySpan<T> WeightGradients => _gradients.AsSpan(_offset, InputSize * OutputSize);

    public ReadOnlySpan<T> BiasGradients => _gradients.AsSpan(_offset + (InputSize * OutputSize), OutputSize);

    /// <summary>output[batch, out] = f(input[batch, in] W + b).</summary>
    internal void Forward(ReadOnlySpan<T> input, Span<T> output, int batch)
    {
        ReadOnlySpan<T> bias = Bias;
        int n = OutputSize;
        for (int r = 0; r < batch; r++)
        {
            bias.CopyTo(output.Slice(r * n, n));
        }

        Gemm.AccumulateAB<T>(input, InputSize, 1, Weights, output, batch, InputSize, n);
        ActivationFunctions.ApplyInPlace(Activation, output[..(batch * n)]);
    }

    /// <summary>
    /// Given dL/dy in <paramref name="delta"/> (overwritten with dL/dz), accumulates dL/dW and dL/db when asked and
    /// writes dL/dx into <paramref name="dInput"/> unless it is empty.
    /// </summary>
    internal void Backward(
        ReadOnlySpan<T> input, ReadOnlySpan<T> output, Span<T> delta, Span<T> dInput, int batch, bool accumulateParameters)
    {
        int m = InputSize;
        int n = OutputSize;
        Span<T> dz = delta[..(batch * n)];
        ActivationFunctions.Backward(Activation, output[..(batch * n)], dz, dz);
        if (accumulateParameters)
        {
            // dW += x^T dz: x read column-wise through strides (1, m), no transpose copy.
            Gemm.AccumulateAB<T>(input, 1, m, dz, _gradients.AsSpan(_offset, m * n), m, batch, n);
            Span<T> db = _gradients.AsSpan(_offset + (m * n), n);
            for (int r = 0; r < batch; r++)
            {
                TensorPrimitives.Add(db, dz.Slice(r * n, n), db);
            }
        }

        if (!dInput.IsEmpty)
        {
            Span<T> dx = dInput[..(batch * m)];
            dx.Clear();
            Gemm.AccumulateABt<T>(dz, Weights, dx, batch, n, m);
        }
    }
}
