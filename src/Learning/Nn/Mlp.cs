using System.Numerics;
using System.Numerics.Tensors;

namespace V2V.Learning.Nn;

/// <summary>
/// A multi-layer perceptron over batches of row vectors (row-major, batch-major, contiguous).
/// All parameters live in one flat array (<see cref="Parameters"/>, layer by layer: weights then biases), and
/// their gradients in a second one of the same layout (<see cref="Gradients"/>).
/// Usage per training step: <see cref="ZeroGrad"/>, <see cref="Forward"/>, <see cref="Backward"/> (gradients
/// accumulate), then an optimiser step. Work buffers are kept per network and grow to the largest batch seen, so
/// steady-state calls allocate nothing. Not thread-safe: one owner at a time (clone it for a second user).
/// </summary>
public sealed class Mlp<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _parameters;
    private readonly T[] _gradients;
    private readonly DenseLayer<T>[] _layers;
    private readonly LayerShape[] _shape;
    private T[] _input = [];
    private T[][] _outputs;
    private T[][] _deltas;
    private int _capacity;
    private int _batch = -1;

    private Mlp(IReadOnlyList<LayerShape> shape)
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            throw new NotSupportedException($"Mlp supports float and double, not {typeof(T).Name}");
        }

        if (shape.Count == 0)
        {
            throw new ArgumentException("a network needs at least one layer", nameof(shape));
        }

        _shape = [.. shape];
        int count = 0;
        for (int l = 0; l < _shape.Length; l++)
        {
            LayerShape s = _shape[l];
            if (s.InputSize <= 0 || s.OutputSize <= 0 || !Enum.IsDefined(s.Activation))
            {
                throw new ArgumentException($"layer {l} has an invalid shape {s}", nameof(shape));
            }

            if (l > 0 && _shape[l - 1].OutputSize != s.InputSize)
            {
                throw new ArgumentException($"layer {l} takes {s.InputSize} inputs but layer {l - 1} gives {_shape[l - 1].OutputSize}", nameof(shape));
            }

            count = checked(count + s.ParameterCount);
        }

        _parameters = new T[count];
        _gradients = new T[count];
        _layers = new DenseLayer<T>[_shape.Length];
        int offset = 0;
        for (int l = 0; l < _shape.Length; l++)
        {
            _layers[l] = new DenseLayer<T>(_parameters, _gradients, offset, _shape[l]);
            offset += _shape[l].ParameterCount;
        }

        _outputs = new T[_shape.Length][];
        _deltas = new T[_shape.Length][];
    }

    public IReadOnlyList<DenseLayer<T>> Layers => _layers;

    public IReadOnlyList<LayerShape> Shape => _shape;

    public int InputSize => _shape[0].InputSize;

    public int OutputSize => _shape[^1].OutputSize;

    public int ParameterCount => _parameters.Length;

    /// <summary>Every parameter, layer by layer (weights input-major, then biases).</summary>
    public Span<T> Parameters => _parameters;

    /// <summary>Accumulated dL/dParameters, same layout as <see cref="Parameters"/>.</summary>
    public Span<T> Gradients => _gradients;

    /// <summary>
    /// A network with layer widths <paramref name="sizes"/> (inputs first), <paramref name="hidden"/> after every
    /// layer but the last and <paramref name="output"/> after the last, initialised per <see cref="MlpInitialisation"/>
    /// (default <see cref="MlpInitialisation.Ddpg"/>).
    /// </summary>
    public static Mlp<T> Create(
        ReadOnlySpan<int> sizes, Activation hidden, Activation output, Random random, MlpInitialisation? initialisation = null)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (sizes.Length < 2)
        {
            throw new ArgumentException("give at least an input and an output size", nameof(sizes));
        }

        var shape = new LayerShape[sizes.Length - 1];
        for (int l = 0; l < shape.Length; l++)
        {
            shape[l] = new LayerShape(sizes[l], sizes[l + 1], l == shape.Length - 1 ? output : hidden);
        }

        var network = new Mlp<T>(shape);
        network.Initialise(random, initialisation ?? MlpInitialisation.Ddpg);
        return network;
    }

    /// <summary>A network of the given shape with every parameter zero (for loading).</summary>
    public static Mlp<T> FromShape(IReadOnlyList<LayerShape> shape) => new(shape);

    public bool HasSameShape(Mlp<T> other) => _shape.AsSpan().SequenceEqual(other._shape);

    /// <summary>
    /// Runs the batch <paramref name="input"/> [batchSize x InputSize] and returns the outputs
    /// [batchSize x OutputSize]. The returned span is the network's own buffer: valid until the next Forward.
    /// The activations are kept for <see cref="Backward"/>.
    /// </summary>
    public ReadOnlySpan<T> Forward(ReadOnlySpan<T> input, int batchSize)
    {
        if (batchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be positive");
        }

        if (input.Length != batchSize * InputSize)
        {
            throw new ArgumentException($"expected {batchSize} x {InputSize} = {batchSize * InputSize} inputs, got {input.Length}", nameof(input));
        }

        EnsureCapacity(batchSize);
        input.CopyTo(_input);
        ReadOnlySpan<T> x = _input;
        for (int l = 0; l < _layers.Length; l++)
        {
            _layers[l].Forward(x, _outputs[l], batchSize);
            x = _outputs[l];
        }

        _batch = batchSize;
        return _outputs[^1].AsSpan(0, batchSize * OutputSize);
    }

    /// <summary>
    /// Back-propagates dL/dOutput [batch x OutputSize] for the batch of the last <see cref="Forward"/>.
    /// Adds dL/dParameters into <see cref="Gradients"/> unless <paramref name="accumulateParameterGradients"/> is
    /// false (the actor update needs only dQ/da from the critic, and skipping dW saves a third of the work).
    /// Writes dL/dInput [batch x InputSize] into <paramref name="dInput"/> unless it is empty.
    /// </summary>
    public void Backward(ReadOnlySpan<T> dOutput, Span<T> dInput = default, bool accumulateParameterGradients = true)
    {
        int batch = _batch;
        if (batch < 0)
        {
            throw new InvalidOperationException("Backward needs a Forward first");
        }

        if (dOutput.Length != batch * OutputSize)
        {
            throw new ArgumentException($"expected {batch} x {OutputSize} output gradients, got {dOutput.Length}", nameof(dOutput));
        }

        if (!dInput.IsEmpty && dInput.Length != batch * InputSize)
        {
            throw new ArgumentException($"expected room for {batch} x {InputSize} input gradients, got {dInput.Length}", nameof(dInput));
        }

        dOutput.CopyTo(_deltas[^1]);
        for (int l = _layers.Length - 1; l >= 0; l--)
        {
            ReadOnlySpan<T> x = l == 0 ? _input : _outputs[l - 1];
            Span<T> dx = l == 0 ? dInput : _deltas[l - 1];
            _layers[l].Backward(x, _outputs[l], _deltas[l], dx, batch, accumulateParameterGradients);
        }
    }

    public void ZeroGrad() => Array.Clear(_gradients);

    /// <summary>Parameters := source's parameters (shapes must match).</summary>
    public void CopyFrom(Mlp<T> source)
    {
        RequireSameShape(source);
        source._parameters.AsSpan().CopyTo(_parameters);
    }

    /// <summary>Polyak averaging for target networks: theta := (1 - tau) theta + tau theta_source (SPEC 7, tau).</summary>
    public void SoftUpdateFrom(Mlp<T> source, T tau)
    {
        RequireSameShape(source);
        if (!(tau >= T.Zero && tau <= T.One))
        {
            throw new ArgumentOutOfRangeException(nameof(tau), tau, "tau must lie in [0, 1]");
        }

        TensorPrimitives.Lerp(_parameters, source._parameters, tau, _parameters);
    }

    /// <summary>A new network with the same shape and parameters; gradients zero, buffers its own.</summary>
    public Mlp<T> Clone()
    {
        var copy = new Mlp<T>(_shape);
        _parameters.AsSpan().CopyTo(copy._parameters);
        return copy;
    }

    public override string ToString() => $"Mlp({InputSize}->{string.Join("->", _shape.Select(s => $"{s.OutputSize} {s.Activation}"))})";

    private void RequireSameShape(Mlp<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!HasSameShape(other))
        {
            throw new ArgumentException($"shape mismatch: {this} vs {other}", nameof(other));
        }
    }

    private void EnsureCapacity(int batch)
    {
        if (batch <= _capacity)
        {
            return;
        }

        _input = new T[batch * InputSize];
        for (int l = 0; l < _layers.Length; l++)
        {
            _outputs[l] = new T[batch * _shape[l].OutputSize];
            _deltas[l] = new T[batch * _shape[l].OutputSize];
        }

        _capacity = batch;
    }

    private void Initialise(Random random, MlpInitialisation initialisation)
    {
        for (int l = 0; l < _layers.Length; l++)
        {
            DenseLayer<T> layer = _layers[l];
            bool final = l == _layers.Length - 1;
            double limit;
            if (final && initialisation.FinalLayerLimit is double finalLimit)
            {
                limit = finalLimit;
            }
            else if (layer.Activation == Activation.Relu)
            {
                limit = Math.Sqrt(6.0 / layer.InputSize);
            }
            else
            {
                limit = Math.Sqrt(6.0 / (layer.InputSize + layer.OutputSize));
            }

            FillUniform(layer.Weights, limit, random);
            if (final && initialisation.FinalLayerLimit is double biasLimit)
            {
                FillUniform(layer.Bias, biasLimit, random);
            }
            else
            {
                layer.Bias.Clear();
            }
        }
    }

    private static void FillUniform(Span<T> values, double limit, Random random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = T.CreateChecked(limit * ((2.0 * random.NextDouble()) - 1.0));
        }
    }
}
