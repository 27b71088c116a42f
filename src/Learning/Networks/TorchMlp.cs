using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace V2V.Learning.Networks;

/// <summary>What follows an MLP's last layer (every hidden layer is followed by a ReLU).</summary>
public enum OutputActivation
{
    /// <summary>Nothing: a critic's Q-value.</summary>
    Identity,

    /// <summary>tanh: an actor's actions in [-1, 1].</summary>
    Tanh,
}

/// <summary>
/// A multi-layer perceptron on TorchSharp: Linear, ReLU, ..., Linear, then <see cref="OutputActivation"/>, as an
/// <see cref="Sequential"/> (state-dict keys "0.weight", "0.bias", "2.weight", ... as PyTorch's nn.Sequential
/// names them, so an exported actor loads into the same Python module). Autograd does the backward pass; the
/// flat-parameter view (<see cref="GetParameters"/>, layer by layer: weight [out x in] row-major, then bias) is what
/// policy versions carry between actors. Not thread-safe: one owner at a time.
/// </summary>
public sealed class TorchMlp : IDisposable
{
    private readonly int[] sizes;
    private readonly Linear[] layers;

    private TorchMlp(IReadOnlyList<int> sizes, OutputActivation output, Device device, ScalarType dtype)
    {
        if (sizes.Count < 2 || sizes.Any(s => s <= 0))
        {
            throw new ArgumentException($"layer sizes must be at least an input and an output size, all positive: [{string.Join(", ", sizes)}]", nameof(sizes));
        }

        TorchRuntime.FixThreads();
        this.sizes = [.. sizes];
        Output = output;
        Device = device;
        DataType = dtype;
        this.layers = new Linear[this.sizes.Length - 1];
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int l = 0; l < this.layers.Length; l++)
        {
            this.layers[l] = nn.Linear(this.sizes[l], this.sizes[l + 1], hasBias: true, device: device, dtype: dtype);
            modules.Add(((2 * l).ToString(System.Globalization.CultureInfo.InvariantCulture), this.layers[l]));
            if (l < this.layers.Length - 1)
            {
                modules.Add((((2 * l) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), nn.ReLU()));
            }
            else if (output == OutputActivation.Tanh)
            {
                modules.Add((((2 * l) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), nn.Tanh()));
            }
        }

        Module = nn.Sequential(modules.ToArray());
        ParameterCount = 0;
        for (int l = 0; l < this.layers.Length; l++)
        {
            ParameterCount += (this.sizes[l] * this.sizes[l + 1]) + this.sizes[l + 1];
        }
    }

    /// <summary>The layer widths, inputs first.</summary>
    public IReadOnlyList<int> Sizes => this.sizes;

    public OutputActivation Output { get; }

    public Device Device { get; }

    /// <summary>Float32 for training; float64 for gradient checks.</summary>
    public ScalarType DataType { get; }

    public int InputSize => this.sizes[0];

    public int OutputSize => this.sizes[^1];

    public int ParameterCount { get; }

    /// <summary>The TorchSharp module (for optimisers and state dicts).</summary>
    public Sequential Module { get; }

    /// <summary>
    /// A network initialised per <see cref="NetworkInitialisation"/> from <paramref name="random"/> (default
    /// <see cref="NetworkInitialisation.Ddpg"/>); the same seed gives the same weights on every machine.
    /// </summary>
    public static TorchMlp Create(
        IReadOnlyList<int> sizes,
        OutputActivation output,
        Random random,
        Device device,
        NetworkInitialisation? initialisation = null,
        ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(random);
        var network = new TorchMlp(sizes, output, device, dtype);
        network.SetParameters((initialisation ?? NetworkInitialisation.Ddpg).Draw(sizes, random));
        return network;
    }

    /// <summary>A network of this shape with every parameter zero (to load into).</summary>
    public static TorchMlp Zeros(IReadOnlyList<int> sizes, OutputActivation output, Device device)
    {
        var network = new TorchMlp(sizes, output, device, ScalarType.Float32);
        network.SetParameters(new float[network.ParameterCount]);
        return network;
    }

    public bool HasSameShape(TorchMlp other) => Output == other.Output && this.sizes.AsSpan().SequenceEqual(other.sizes);

    /// <summary>The network on a [batch x InputSize] tensor, recorded for autograd unless grad mode is off.</summary>
    public Tensor Forward(Tensor input) => Module.forward(input);

    /// <summary>Outputs [n x OutputSize] of <paramref name="input"/> [n x InputSize] into a new array, without autograd.</summary>
    public float[] Predict(ReadOnlySpan<float> input, int n)
    {
        if (n <= 0 || input.Length != n * InputSize)
        {
            throw new ArgumentException($"expected {n} x {InputSize} inputs, got {input.Length}", nameof(input));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = zeros([n, InputSize], ScalarType.Float32);
        x.data<float>().CopyFrom(input, 0, 0);
        var y = Forward(x.to(DataType, Device)).to(ScalarType.Float32, CPU);
        var result = new float[n * OutputSize];
        y.data<float>().CopyTo(result, 0, 0);
        return result;
    }

    /// <summary>
    /// As <see cref="Predict"/>, but each row evaluated as a batch of one. libtorch's matrix kernels round a row
    /// differently depending on the batch around it, so an agent's action would depend on which agents are decided
    /// with it; row by row, the direct training runner acts exactly as each EV actor does on its own.
    /// </summary>
    public float[] PredictRows(ReadOnlySpan<float> input, int n)
    {
        if (n <= 0 || input.Length != n * InputSize)
        {
            throw new ArgumentException($"expected {n} x {InputSize} inputs, got {input.Length}", nameof(input));
        }

        var result = new float[n * OutputSize];
        using var noGrad = no_grad();
        for (int r = 0; r < n; r++)
        {
            using var scope = NewDisposeScope();
            var x = zeros([1, InputSize], ScalarType.Float32);
            x.data<float>().CopyFrom(input.Slice(r * InputSize, InputSize), 0, 0);
            var y = Forward(x.to(DataType, Device)).to(ScalarType.Float32, CPU);
            y.data<float>().CopyTo(result, r * OutputSize, 0);
        }

        return result;
    }

    /// <summary>Every parameter, layer by layer: weight [out x in] row-major, then bias.</summary>
    public float[] GetParameters()
    {
        var flat = new float[ParameterCount];
        int at = 0;
        foreach (var layer in this.layers)
        {
            at += CopyOut(layer.weight!, flat, at);
            at += CopyOut(layer.bias!, flat, at);
        }

        return flat;
    }

    /// <summary>Sets every parameter from the layout of <see cref="GetParameters"/>.</summary>
    public void SetParameters(ReadOnlySpan<float> flat)
    {
        if (flat.Length != ParameterCount)
        {
            throw new ArgumentException($"expected {ParameterCount} parameters, got {flat.Length}", nameof(flat));
        }

        using var noGrad = no_grad();
        int at = 0;
        foreach (var layer in this.layers)
        {
            at += CopyIn(flat[at..], layer.weight!);
            at += CopyIn(flat[at..], layer.bias!);
        }
    }

    /// <summary>Parameters := <paramref name="source"/>'s.</summary>
    public void CopyFrom(TorchMlp source)
    {
        RequireSameShape(source);
        using var noGrad = no_grad();
        foreach (var (mine, theirs) in Module.parameters().Zip(source.Module.parameters()))
        {
            mine.copy_(theirs);
        }
    }

    /// <summary>Polyak averaging for target networks: theta := theta + tau (theta_source - theta) (SPEC 7, tau).</summary>
    public void SoftUpdateFrom(TorchMlp source, double tau)
    {
        RequireSameShape(source);
        if (!(tau >= 0 && tau <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(tau), tau, "tau must lie in [0, 1]");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weight = tensor(tau, DataType, Device);
        foreach (var (mine, theirs) in Module.parameters().Zip(source.Module.parameters()))
        {
            mine.lerp_(theirs, weight);
        }
    }

    /// <summary>A new network with the same shape and parameters.</summary>
    public TorchMlp Clone()
    {
        var copy = new TorchMlp(this.sizes, Output, Device, DataType);
        copy.CopyFrom(this);
        return copy;
    }

    public override string ToString() => $"TorchMlp({string.Join("-", this.sizes)}, {Output})";

    public void Dispose() => Module.Dispose();

    private void RequireSameShape(TorchMlp other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!HasSameShape(other))
        {
            throw new ArgumentException($"shape mismatch: {this} vs {other}", nameof(other));
        }
    }

    private static int CopyOut(Tensor parameter, float[] flat, int at)
    {
        using var cpu = parameter.detach().to(ScalarType.Float32, CPU).contiguous();
        cpu.data<float>().CopyTo(flat, at, 0);
        return (int)cpu.numel();
    }

    private static int CopyIn(ReadOnlySpan<float> flat, Tensor parameter)
    {
        int count = (int)parameter.numel();
        using var cpu = zeros(parameter.shape, ScalarType.Float32);
        cpu.data<float>().CopyFrom(flat[..count], 0, 0);
        parameter.copy_(cpu);
        return count;
    }
}
