using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace V2V.Learning.Nn;

/// <summary>
/// Adam over one network's flat parameter array. Per step t (Kingma and Ba 2015, Algorithm 1):
/// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; theta -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
/// The moments and the step count are state worth checkpointing (<see cref="ModelFile"/>).
/// </summary>
public sealed class AdamOptimizer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _m;
    private readonly T[] _v;

    public AdamOptimizer(Mlp<T> network, AdamOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Network = network;
        Options = options;
        _m = new T[network.ParameterCount];
        _v = new T[network.ParameterCount];
    }

    public Mlp<T> Network { get; }

    public AdamOptions Options { get; }

    /// <summary>Steps taken so far (t of the bias corrections).</summary>
    public long StepCount { get; private set; }

    public ReadOnlySpan<T> FirstMoment => _m;

    public ReadOnlySpan<T> SecondMoment => _v;

    public void ZeroGrad() => Network.ZeroGrad();

    /// <summary>
    /// Applies one update from the network's accumulated gradients (clipped first if
    /// <see cref="AdamOptions.MaxGradientNorm"/> is set, which rescales the gradients in place).
    /// Returns the gradient's global L2 norm before clipping, a cheap training diagnostic.
    /// </summary>
    public double Step()
    {
        Span<T> g = Network.Gradients;
        double norm = double.CreateChecked(TensorPrimitives.Norm<T>(g));
        if (Options.MaxGradientNorm is double max && norm > max)
        {
            TensorPrimitives.Multiply(g, T.CreateChecked(max / norm), g);
        }

        StepCount++;
        double b1 = Options.Beta1;
        double b2 = Options.Beta2;
        // Folding both bias corrections into the step size and epsilon is exact algebra:
        // lr mhat / (sqrt(vhat) + eps) = (lr sqrt(c2) / c1) m / (sqrt(v) + eps sqrt(c2)), c = 1 - b^t.
        double c1 = 1.0 - Math.Pow(b1, StepCount);
        double c2 = 1.0 - Math.Pow(b2, StepCount);
        T stepSize = T.CreateChecked(Options.LearningRate * Math.Sqrt(c2) / c1);
        T eps = T.CreateChecked(Options.Epsilon * Math.Sqrt(c2));
        Update(Network.Parameters, g, _m, _v, T.CreateChecked(b1), T.CreateChecked(b2), stepSize, eps);
        return norm;
    }

    /// <summary>Puts back state read from a checkpoint.</summary>
    internal void Restore(long stepCount, ReadOnlySpan<T> m, ReadOnlySpan<T> v)
    {
        if (stepCount < 0 || m.Length != _m.Length || v.Length != _v.Length)
        {
            throw new ArgumentException("optimiser state does not fit this network");
        }

        StepCount = stepCount;
        m.CopyTo(_m);
        v.CopyTo(_v);
    }

    private static void Update(Span<T> p, ReadOnlySpan<T> g, Span<T> m, Span<T> v, T b1, T b2, T stepSize, T eps)
    {
        T oneMinusB1 = T.One - b1;
        T oneMinusB2 = T.One - b2;
        int n = p.Length;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            ref T pr = ref MemoryMarshal.GetReference(p);
            ref T gr = ref MemoryMarshal.GetReference(g);
            ref T mr = ref MemoryMarshal.GetReference(m);
            ref T vr = ref MemoryMarshal.GetReference(v);
            var vb1 = Vector256.Create(b1);
            var vb2 = Vector256.Create(b2);
            var v1b1 = Vector256.Create(oneMinusB1);
            var v1b2 = Vector256.Create(oneMinusB2);
            var vStep = Vector256.Create(stepSize);
            var vEps = Vector256.Create(eps);
            for (; i + Vector256<T>.Count <= n; i += Vector256<T>.Count)
            {
                nuint at = (nuint)i;
                var gi = Vector256.LoadUnsafe(ref gr, at);
                var mi = (vb1 * Vector256.LoadUnsafe(ref mr, at)) + (v1b1 * gi);
                var vi = (vb2 * Vector256.LoadUnsafe(ref vr, at)) + (v1b2 * gi * gi);
                mi.StoreUnsafe(ref mr, at);
                vi.StoreUnsafe(ref vr, at);
                (Vector256.LoadUnsafe(ref pr, at) - (vStep * mi / (Vector256.Sqrt(vi) + vEps))).StoreUnsafe(ref pr, at);
            }
        }

        for (; i < n; i++)
        {
            T gi = g[i];
            m[i] = (b1 * m[i]) + (oneMinusB1 * gi);
            v[i] = (b2 * v[i]) + (oneMinusB2 * gi * gi);
            p[i] -= stepSize * m[i] / (T.Sqrt(v[i]) + eps);
        }
    }
}
