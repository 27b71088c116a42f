using TorchSharp;
using static TorchSharp.torch;

namespace V2V.Learning.Networks;

/// <summary>Where the networks compute (<c>v2v.learning.device</c>).</summary>
public enum LearningDevice
{
    Cpu,
    Cuda,
}

/// <summary>
/// Process-wide TorchSharp settings for reproducible training: one intra-op thread (a fixed count, so reductions
/// sum in a fixed order; on the 2-core machines we train on, the 12-128-128-2 and 71-128-128-1
/// layers at batch 256 gain nothing from more) and torch's generator seeded. TorchSharp 0.107.0 does not implement
/// use_deterministic_algorithms; libtorch's CPU kernels for what we use (linear, ReLU, tanh, MSE, Adam) are
/// deterministic at a fixed thread count, which the training-determinism test checks. Our own
/// initialisation, replay sampling and exploration noise never draw from torch's generator.
/// </summary>
public static class TorchRuntime
{
    private static readonly object Gate = new();
    private static bool threadsSet;

    /// <summary>Parses a configuration value: "cpu" or "cuda".</summary>
    public static LearningDevice ParseDevice(string value) => value switch
    {
        "cpu" => LearningDevice.Cpu,
        "cuda" => LearningDevice.Cuda,
        _ => throw new ArgumentException($"v2v.learning.device: expected cpu or cuda, got '{value}'", nameof(value)),
    };

    /// <summary>Why a CUDA request fails here, in one line.</summary>
    public const string NoCudaMessage = "cuda requested, but TorchSharp finds no CUDA device here (only the CPU libtorch is installed); use cpu";

    /// <summary>Whether libtorch sees a CUDA device.</summary>
    public static bool CudaAvailable => cuda.is_available();

    /// <summary>The TorchSharp device; a CUDA request on a machine without CUDA is an error saying so.</summary>
    public static Device Select(LearningDevice device) => device switch
    {
        LearningDevice.Cpu => CPU,
        LearningDevice.Cuda when CudaAvailable => CUDA,
        LearningDevice.Cuda => throw new InvalidOperationException($"v2v.learning.device: {NoCudaMessage}"),
        _ => throw new ArgumentOutOfRangeException(nameof(device), device, "unknown device"),
    };

    /// <summary>
    /// Fixes the intra-op thread count, once per process, before the first network is built (every
    /// <see cref="TorchMlp"/> calls it), so training and `v2v run` evaluate a network alike.
    /// </summary>
    public static void FixThreads()
    {
        lock (Gate)
        {
            if (!threadsSet)
            {
                torch.set_num_threads(1);
                threadsSet = true;
            }
        }
    }

    /// <summary>The fixed thread count and the seed of torch's generator.</summary>
    public static void MakeDeterministic(long seed)
    {
        FixThreads();
        lock (Gate)
        {
            torch.manual_seed(seed);
        }
    }
}
