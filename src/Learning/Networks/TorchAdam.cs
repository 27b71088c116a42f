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
    private readonly Tensor[] parameters;
    private readonly Tensor[] m;
    private readonly Tensor[] v;
    private readonly Scalar beta1;
    private readonly Scalar beta2;
    private readonly Scalar oneMinusBeta1;
    private readonly Scalar oneMinusBeta2;
    private readonly Scalar epsilon;
    private readonly Scalar one;

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
        this.parameters = [.. network.Module.parameters()];
        this.m = [.. this.parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        this.v = [.. this.parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        this.beta1 = beta1.ToScalar();
        this.beta2 = beta2.ToScalar();
        this.oneMinusBeta1 = (1 - beta1).ToScalar();
        this.oneMinusBeta2 = (1 - beta2).ToScalar();
        this.epsilon = epsilon.ToScalar();
        this.one = 1.0.ToScalar();
    }

    public double LearningRate { get; }

    public double Beta1 { get; }

    public double Beta2 { get; }

    /// <summary>Steps taken so far (t of the bias corrections).</summary>
    public long StepCount { get; private set; }

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in this.parameters)
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
        for (int i = 0; i < this.parameters.Length; i++)
        {
            var g = this.parameters[i].grad;
            if (g is null)
            {
                continue;
            }

            this.m[i].mul_(this.beta1).add_(g, this.oneMinusBeta1);
            this.v[i].mul_(this.beta2).addcmul_(g, g, this.oneMinusBeta2);
            var denominator = this.v[i].sqrt().mul_(inverseRootC2).add_(this.epsilon, this.one);
            this.parameters[i].addcdiv_(this.m[i], denominator, minusStep);
        }
    }

    /// <summary>Writes the step count and both moments.</summary>
    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(StepCount);
        writer.Write(this.parameters.Length);
        for (int i = 0; i < this.parameters.Length; i++)
        {
            this.m[i].Save(writer);
            this.v[i].Save(writer);
        }
    }

    /// <summary>Reads what <see cref="Save"/> wrote for a network of the same shape.</summary>
    public void Load(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        long step = reader.ReadInt64();
        int count = reader.ReadInt32();
        if (step < 0 || count != this.parameters.Length)
        {
            throw new InvalidDataException($"optimiser state for {count} parameter tensors at step {step}; this network has {this.parameters.Length}");
        }

        for (int i = 0; i < count; i++)
        {
            this.m[i].Load(reader);
            this.v[i].Load(reader);
        }

        StepCount = step;
    }

    public void Dispose()
    {
        foreach (var t in this.m.Concat(this.v))
        {
            t.Dispose();
        }

        this.beta1.Dispose();
        this.beta2.Dispose();
        this.oneMinusBeta1.Dispose();
        this.oneMinusBeta2.Dispose();
        this.epsilon.Dispose();
        this.one.Dispose();
    }
}
