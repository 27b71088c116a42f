using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace V2V.Learning.Nn;

/// <summary>
/// Forward and backward of <see cref="Activation"/>. Both work from the layer's OUTPUT y only
/// (ReLU: y &gt; 0 iff z &gt; 0; tanh: dy/dz = 1 - y^2), so a layer never stores its pre-activation.
/// </summary>
internal static class ActivationFunctions
{
    public static void ApplyInPlace<T>(Activation activation, Span<T> values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case Activation.Identity:
                break;
            case Activation.Relu:
                // Max (IEEE 754 maximum) propagates NaN, so a diverged network surfaces instead of being silently zeroed.
                TensorPrimitives.Max(values, T.Zero, values);
                break;
            case Activation.Tanh:
                // Element by element, not TensorPrimitives.Tanh: its vector lanes and scalar tail round differently, so
                // a row's output would depend on its place in the batch. An EV acting alone must get, bit for bit, what
                // the batched direct runner computes for it (tanh is only the actor's 2-wide output layer: cheap).
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = T.Tanh(values[i]);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation");
        }
    }

    /// <summary>dZ = dY * f'(z), expressed through y = f(z). dZ may alias dY.</summary>
    public static void Backward<T>(Activation activation, ReadOnlySpan<T> output, ReadOnlySpan<T> dOutput, Span<T> dPre)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = output.Length;
        if (dOutput.Length < n || dPre.Length < n)
        {
            throw new ArgumentException("gradient buffers shorter than the output");
        }

        switch (activation)
        {
            case Activation.Identity:
                dOutput[..n].CopyTo(dPre);
                break;
            case Activation.Relu:
                ReluBackward(output, dOutput, dPre, n);
                break;
            case Activation.Tanh:
                TanhBackward(output, dOutput, dPre, n);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation");
        }
    }

    private static void ReluBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dz, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T yRef = ref MemoryMarshal.GetReference(y);
        ref T dyRef = ref MemoryMarshal.GetReference(dy);
        ref T dzRef = ref MemoryMarshal.GetReference(dz);
        int i = 0;
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            for (; i + Vector256<T>.Count <= n; i += Vector256<T>.Count)
            {
                var mask = Vector256.GreaterThan(Vector256.LoadUnsafe(ref yRef, (nuint)i), Vector256<T>.Zero);
                Vector256.BitwiseAnd(mask, Vector256.LoadUnsafe(ref dyRef, (nuint)i)).StoreUnsafe(ref dzRef, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            dz[i] = y[i] > T.Zero ? dy[i] : T.Zero;
        }
    }

    private static void TanhBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dz, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T yRef = ref MemoryMarshal.GetReference(y);
        ref T dyRef = ref MemoryMarshal.GetReference(dy);
        ref T dzRef = ref MemoryMarshal.GetReference(dz);
        int i = 0;
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            var one = Vector256<T>.One;
            for (; i + Vector256<T>.Count <= n; i += Vector256<T>.Count)
            {
                var yv = Vector256.LoadUnsafe(ref yRef, (nuint)i);
                (Vector256.LoadUnsafe(ref dyRef, (nuint)i) * (one - (yv * yv))).StoreUnsafe(ref dzRef, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            dz[i] = dy[i] * (T.One - (y[i] * y[i]));
        }
    }
}
