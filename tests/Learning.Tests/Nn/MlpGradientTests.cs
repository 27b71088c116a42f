using V2V.Learning.Nn;

namespace V2V.Learning.Tests.Nn;

public sealed class MlpGradientTests
{
    // Widths chosen to hit every Gemm path in float64 (Vector256 holds 4): 17 outputs = two 8-wide panels and
    // an edge column; batch 6 = one 4-row block and two edge rows; 2 outputs = the edge-only path.
    [Theory]
    [InlineData(Activation.Identity, 9, 17, 6)]
    [InlineData(Activation.Relu, 9, 17, 6)]
    [InlineData(Activation.Tanh, 9, 17, 6)]
    [InlineData(Activation.Tanh, 5, 2, 3)]
    [InlineData(Activation.Relu, 16, 8, 9)]
    public void DenseLayer_EveryActivation_GradientsMatchFiniteDifferences(Activation activation, int inputs, int outputs, int batch)
    {
        var random = new Random(11);
        var network = Mlp<double>.Create([inputs, outputs], activation, activation, random, MlpInitialisation.FanScaled);
        // Non-zero biases, so a bias gradient bug cannot hide behind zeros.
        GradientCheck.RandomArray(random, outputs, 0.3).CopyTo(network.Layers[0].Bias);
        CheckWholeNetwork(network, random, batch);
    }

    [Fact]
    public void Mlp_ActorShapedNetwork_ParameterAndInputGradientsMatchFiniteDifferences()
    {
        var random = new Random(5);
        var network = Mlp<double>.Create([12, 24, 16, 2], Activation.Relu, Activation.Tanh, random, MlpInitialisation.FanScaled);
        CheckWholeNetwork(network, random, 7);
    }

    [Fact]
    public void Losses_MeanSquaredError_ValueAndGradientMatchHandComputed()
    {
        double[] prediction = [1.0, -2.0, 0.5];
        double[] target = [0.0, 0.0, 1.0];
        var gradient = new double[3];
        double loss = Losses.MeanSquaredError<double>(prediction, target, gradient);
        // (1 + 4 + 0.25) / 3 and 2 (p - t) / 3.
        Assert.Equal(5.25 / 3, loss, 14);
        Assert.Equal([2.0 / 3, -4.0 / 3, -1.0 / 3], gradient);
        var numeric = GradientCheck.Numeric(prediction, () => Losses.MeanSquaredError<double>(prediction, target, new double[3]));
        GradientCheck.AssertClose(numeric, gradient, "dMSE/dp");
    }

    [Fact]
    public void Losses_MeanSquaredError_LengthMismatch_Throws()
    {
        Assert.Throws<ArgumentException>(() => Losses.MeanSquaredError<double>(new double[2], new double[3], new double[2]));
    }

    [Fact]
    public void Mlp_BackwardWithoutParameterGradients_LeavesGradientsUntouched()
    {
        var random = new Random(3);
        var network = Mlp<double>.Create([4, 8, 1], Activation.Relu, Activation.Identity, random);
        network.Forward(GradientCheck.RandomArray(random, 8), 2);
        var dInput = new double[8];
        network.Backward([1.0, 1.0], dInput, accumulateParameterGradients: false);
        Assert.All(network.Gradients.ToArray(), g => Assert.Equal(0.0, g));
        Assert.Contains(dInput, d => d != 0);
    }

    [Fact]
    public void Mlp_FloatForward_AgreesWithDoubleForward()
    {
        var d = Mlp<double>.Create([12, 32, 32, 2], Activation.Relu, Activation.Tanh, new Random(9), MlpInitialisation.FanScaled);
        var f = Mlp<float>.Create([12, 32, 32, 2], Activation.Relu, Activation.Tanh, new Random(9), MlpInitialisation.FanScaled);
        var input = GradientCheck.RandomArray(new Random(1), 12 * 5);
        var inputF = Array.ConvertAll(input, x => (float)x);
        var outD = d.Forward(input, 5).ToArray();
        var outF = f.Forward(inputF, 5).ToArray();
        for (int i = 0; i < outD.Length; i++)
        {
            Assert.Equal(outD[i], outF[i], 4);
        }
    }

    private static void CheckWholeNetwork(Mlp<double> network, Random random, int batch)
    {
        var input = GradientCheck.RandomArray(random, batch * network.InputSize);
        var target = GradientCheck.RandomArray(random, batch * network.OutputSize);

        network.ZeroGrad();
        var output = network.Forward(input, batch).ToArray();
        var dOutput = new double[output.Length];
        Losses.MeanSquaredError<double>(output, target, dOutput);
        var dInput = new double[input.Length];
        network.Backward(dOutput, dInput);
        var analytic = network.Gradients.ToArray();

        var numericParameters = GradientCheck.Numeric(network.Parameters, () => GradientCheck.MseLoss(network, input, target, batch));
        GradientCheck.AssertClose(numericParameters, analytic, "dL/dtheta");
        var numericInput = GradientCheck.Numeric(input, () => GradientCheck.MseLoss(network, input, target, batch));
        GradientCheck.AssertClose(numericInput, dInput, "dL/dx");
    }
}
