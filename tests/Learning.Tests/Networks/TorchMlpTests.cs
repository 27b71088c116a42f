using TorchSharp;
using V2V.Learning.Networks;
using static TorchSharp.torch;

namespace V2V.Learning.Tests.Networks;

public sealed class TorchMlpTests
{
    [Fact]
    public void Predict_SetParameters_ComputesTheHandWorkedValues()
    {
        // 2-2-1: hidden h = relu(W1 x + b1), output y = w2 . h + b2; weights row-major [out x in].
        using var net = TorchMlp.Zeros([2, 2, 1], OutputActivation.Identity, CPU);
        net.SetParameters([1f, 2f, -1f, 1f, 0.5f, -3f, 2f, -1f, 0.25f]);
        // x = (1, 2): W1 x + b1 = (1 + 4 + 0.5, -1 + 2 - 3) = (5.5, -2) -> relu (5.5, 0); y = 11 + 0 + 0.25.
        // x = (-1, 3): (-1 + 6 + 0.5, 1 + 3 - 3) = (5.5, 1); y = 11 - 1 + 0.25.
        Assert.Equal(new[] { 11.25f, 10.25f }, net.Predict([1f, 2f, -1f, 3f], 2));
        Assert.Equal(new[] { 1f, 2f, -1f, 1f, 0.5f, -3f, 2f, -1f, 0.25f }, net.GetParameters());
    }

    [Fact]
    public void Create_Seed_DrawsHeWeightsInputMajorAndDdpgFinalLayer()
    {
        using var net = TorchMlp.Create([12, 16, 2], OutputActivation.Tanh, new Random(7), CPU);
        var p = net.GetParameters();
        var random = new Random(7);
        double He() => Math.Sqrt(6.0 / 12) * ((2 * random.NextDouble()) - 1);
        // Draw order: input 0 to outputs 0, 1, 2, ...; stored [out x in] row-major, so at 0, 12, 24, ...
        Assert.Equal((float)He(), p[0]);
        Assert.Equal((float)He(), p[12]);
        Assert.Equal((float)He(), p[24]);
        Assert.All(p[(12 * 16)..((12 * 16) + 16)], b => Assert.Equal(0f, b));
        Assert.All(p[((12 * 16) + 16)..], w => Assert.InRange(w, -3e-3f, 3e-3f));
        using var same = TorchMlp.Create([12, 16, 2], OutputActivation.Tanh, new Random(7), CPU);
        using var other = TorchMlp.Create([12, 16, 2], OutputActivation.Tanh, new Random(8), CPU);
        Assert.Equal(p, same.GetParameters());
        Assert.NotEqual(p, other.GetParameters());
    }

    [Fact]
    public void PredictRows_Batch_EqualsEachRowPredictedAlone()
    {
        using var net = TorchMlp.Create([12, 64, 64, 2], OutputActivation.Tanh, new Random(1), CPU, NetworkInitialisation.FanScaled);
        var random = new Random(3);
        var x = new float[17 * 12];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)random.NextDouble();
        }

        var rows = net.PredictRows(x, 17);
        for (int r = 0; r < 17; r++)
        {
            Assert.Equal(net.Predict(x.AsSpan(r * 12, 12), 1), rows[(r * 2)..((r * 2) + 2)]);
        }
    }

    [Fact]
    public void SoftUpdateFrom_Tau_MovesEachParameterThatFractionOfTheWay()
    {
        using var target = TorchMlp.Zeros([1, 1], OutputActivation.Identity, CPU);
        using var source = TorchMlp.Zeros([1, 1], OutputActivation.Identity, CPU);
        target.SetParameters([2f, -1f]);
        source.SetParameters([4f, 3f]);
        target.SoftUpdateFrom(source, 0.25);
        Assert.Equal(new[] { 2.5f, 0f }, target.GetParameters());
        Assert.Throws<ArgumentOutOfRangeException>(() => target.SoftUpdateFrom(source, 1.5));
    }

    [Fact]
    public void Clone_ThenTrainOriginal_LeavesTheCloneUnchanged()
    {
        using var net = TorchMlp.Create([3, 4, 1], OutputActivation.Identity, new Random(1), CPU);
        using var copy = net.Clone();
        var before = copy.GetParameters();
        net.SetParameters(new float[net.ParameterCount]);
        Assert.Equal(before, copy.GetParameters());
        Assert.True(copy.HasSameShape(net));
    }

    [Fact]
    public void TorchAdam_TwoSteps_FollowKingmaAndBaWithBiasCorrection()
    {
        // Loss = 3 w + b (input x = 3, identity output): the gradient is (3, 1) at every step. With a constant
        // gradient g the bias-corrected moments are g and g^2, so each step moves theta by -lr g / (|g| + eps).
        using var net = TorchMlp.Zeros([1, 1], OutputActivation.Identity, CPU);
        net.SetParameters([0.5f, -0.25f]);
        using var adam = new TorchAdam(net, learningRate: 0.1);
        for (int step = 1; step <= 2; step++)
        {
            adam.ZeroGrad();
            using var loss = net.Forward(tensor(new float[] { 3f }, [1, 1])).sum();
            loss.backward();
            adam.Step();
        }

        double w = 0.5 - (2 * 0.1 * 3 / (3 + 1e-8)), b = -0.25 - (2 * 0.1 * 1 / (1 + 1e-8));
        var p = net.GetParameters();
        Assert.Equal(w, p[0], 6);
        Assert.Equal(b, p[1], 6);
        Assert.Equal(2, adam.StepCount);
    }

    [Fact]
    public void ParseDevice_UnknownName_NamesTheKeyAndTheChoices()
    {
        Assert.Equal(LearningDevice.Cpu, TorchRuntime.ParseDevice("cpu"));
        Assert.Equal(LearningDevice.Cuda, TorchRuntime.ParseDevice("cuda"));
        var e = Assert.Throws<ArgumentException>(() => TorchRuntime.ParseDevice("gpu"));
        Assert.StartsWith("v2v.learning.device: expected cpu or cuda, got 'gpu'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_CudaWithoutCuda_IsAOneLineErrorSayingSo()
    {
        Assert.Equal(DeviceType.CPU, TorchRuntime.Select(LearningDevice.Cpu).type);
        if (torch.cuda.is_available())
        {
            Assert.Equal(DeviceType.CUDA, TorchRuntime.Select(LearningDevice.Cuda).type);
            return;
        }

        var e = Assert.Throws<InvalidOperationException>(() => TorchRuntime.Select(LearningDevice.Cuda));
        Assert.Contains("no CUDA device", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
