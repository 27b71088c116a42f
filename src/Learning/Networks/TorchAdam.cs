using TorchSharp;
using static TorchSharp.torch;

namespace V2V.Learning.Networks;

/// <summary>
/// Adam (Kingma and Ba 2015, Algorithm 1) over one network's parameters, on tensors: per step t,
/// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; theta -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps),
/// torch.optim.Adam's arithmetic. Ours rather than TorchSharp's because TorchSharp 0.107.0's optimisers pass
/// short-lived <see cref="Scalar"/>s (finalizable objects) to libtorch by handle: a garbage collection started by
/// another thread can free one during the call, and libtorch then reads freed memory (seen as "Expected false to
/// be true" from c10::Scalar::toDouble). Every Scalar here lives in a field or a using block for the whole call.
/// The moments and the step count are checkpointed (<see cref="Save"/>, <see cref="Load"/>).
/// </summary>
public sealed class TorchAdam : IDisposable
{
    private readonly Tensor[] _parameters;
    private readonly Tensor[] _m;
    private readonly Tensor[] _v;
    private readonly Scalar _beta1;
    private readonly Scalar _beta2;
    private readonly Scalar _oneMinusBeta1;
    private readonly Scalar _oneMinusBeta2;
    private readonly Scalar _epsilon;
    private readonly Scalar _one;

    public TorchAdam(TorchMlp network, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!(learningRate > 0) || !double.IsFinite(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learning rate must be positive and finite");
        }

        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), $"betas must lie in [0, 1) and epsilon be positive, got {beta1}, {beta2}, {epsilon}");
        }

        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        _parameters = [.. network.Module.parameters()];
        _m = [.. _parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        _v = [.. _parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        _beta1 = beta1.ToScalar();
        _beta2 = beta2.ToScalar();
        _oneMinusBeta1 = (1 - beta1).ToScalar();
        _oneMinusBeta2 = (1 - beta2).ToScalar();
        _epsilon = epsilon.ToScalar();
        _one = 1.0.ToScalar();
    }

    public double LearningRate { get; }

    public double Beta1 { get; }

    public double Beta2 { get; }

    /// <summary>Steps taken so far (t of the bias corrections).</summary>
    public long StepCount { get; private set; }

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters)
        {
            using var grad = p.grad;
            grad?.zero_();
        }
    }

    /// <summary>One update from the parameters' gradients (a parameter without one is left as it is).</summary>
    public void Step()
    {
        StepCount++;
        double c1 = 1 - Math.Pow(Beta1, StepCount);
        double c2 = 1 - Math.Pow(Beta2, StepCount);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var inverseRootC2 = (1 / Math.Sqrt(c2)).ToScalar();
        using var minusStep = (-LearningRate / c1).ToScalar();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var g = _parameters[i].grad;
            if (g is null)
            {
                continue;
            }

            _m[i].mul_(_beta1).add_(g, _oneMinusBeta1);
            _v[i].mul_(_beta2).addcmul_(g, g, _oneMinusBeta2);
            var denominator = _v[i].sqrt().mul_(inverseRootC2).add_(_epsilon, _one);
            _parameters[i].addcdiv_(_m[i], denominator, minusStep);
        }
    }

    /// <summary>Writes the step count and both moments.</summary>
    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(StepCount);
        writer.Write(_parameters.Length);
        for (int i = 0; i < _parameters.Length; i++)
        {
            _m[i].Save(writer);
            _v[i].Save(writer);
        }
    }

    /// <summary>Reads what <see cref="Save"/> wrote for a network of the same shape.</summary>
    public void Load(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        long step = reader.ReadInt64();
        int count = reader.ReadInt32();
        if (step < 0 || count != _parameters.Length)
        {
            throw new InvalidDataException($"optimiser state for {count} parameter tensors at step {step}; this network has {_parameters.Length}");
        }

        for (int i = 0; i < count; i++)
        {
            _m[i].Load(reader);
            _v[i].Load(reader);
        }

        StepCount = step;
    }

    public void Dispose()
    {
        foreach (var t in _m.Concat(_v))
        {
            t.Dispose();
        }

        _beta1.Dispose();
        _beta2.Dispose();
        _oneMinusBeta1.Dispose();
        _oneMinusBeta2.Dispose();
        _epsilon.Dispose();
        _one.Dispose();
    }
}
