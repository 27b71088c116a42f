using V2V.Learning.Nn;

namespace V2V.Learning.Tests.Nn;

public sealed class OptimiserAndInitTests
{
    [Fact]
    public void Adam_FirstStep_MovesEachParameterByLearningRateAgainstTheGradientSign()
    {
        var network = Mlp<double>.FromShape([new LayerShape(2, 2, Activation.Identity)]);
        var adam = new AdamOptimizer<double>(network, new AdamOptions(0.01));
        double[] g = [3.0, -0.5, 1e-3, -7.0, 2.0, -2.0];
        g.CopyTo(network.Gradients);
        adam.Step();
        // After bias correction mhat = g and vhat = g^2, so the step is lr g / (|g| + eps) = lr sign(g).
        for (int i = 0; i < g.Length; i++)
        {
            Assert.Equal(-0.01 * g[i] / (Math.Abs(g[i]) + 1e-8), network.Parameters[i], 15);
        }
    }

    [Fact]
    public void Adam_QuadraticBowl_MatchesScalarReferenceAndConverges()
    {
        // f(theta) = sum_i a_i (theta_i - c_i)^2, gradient 2 a_i (theta_i - c_i).
        double[] a = [1.0, 4.0, 0.25, 2.0, 1.0, 3.0, 0.5, 1.5, 1.0];
        double[] c = [1.0, -2.0, 0.5, 3.0, -1.0, 0.0, 2.0, -0.5, 0.25];
        var network = Mlp<double>.FromShape([new LayerShape(2, 3, Activation.Identity)]);
        var adam = new AdamOptimizer<double>(network, new AdamOptions(0.05));
        var reference = new double[9];
        var m = new double[9];
        var v = new double[9];
        for (int t = 1; t <= 3000; t++)
        {
            network.ZeroGrad();
            for (int i = 0; i < 9; i++)
            {
                network.Gradients[i] = 2 * a[i] * (network.Parameters[i] - c[i]);
            }

            adam.Step();
            for (int i = 0; i < 9; i++)
            {
                double gi = 2 * a[i] * (reference[i] - c[i]);
                m[i] = (0.9 * m[i]) + (0.1 * gi);
                v[i] = (0.999 * v[i]) + (0.001 * gi * gi);
                double mhat = m[i] / (1 - Math.Pow(0.9, t));
                double vhat = v[i] / (1 - Math.Pow(0.999, t));
                reference[i] -= 0.05 * mhat / (Math.Sqrt(vhat) + 1e-8);
            }

            if (t <= 20)
            {
                for (int i = 0; i < 9; i++)
                {
                    Assert.Equal(reference[i], network.Parameters[i], 9);
                }
            }
        }

        Assert.Equal(3000, adam.StepCount);
        for (int i = 0; i < 9; i++)
        {
            Assert.Equal(c[i], network.Parameters[i], 3);
        }
    }

    [Fact]
    public void Adam_GradientClip_RescalesToTheCap()
    {
        var network = Mlp<double>.FromShape([new LayerShape(1, 1, Activation.Identity)]);
        var adam = new AdamOptimizer<double>(network, new AdamOptions(0.1, MaxGradientNorm: 1.0));
        network.Gradients[0] = 3.0;
        network.Gradients[1] = 4.0;
        Assert.Equal(5.0, adam.Step(), 12);
        Assert.Equal(0.6, network.Gradients[0], 12);
        Assert.Equal(0.8, network.Gradients[1], 12);
    }

    [Fact]
    public void SoftUpdate_Tau_IsPolyakAverage()
    {
        var target = Mlp<double>.Create([3, 4, 2], Activation.Relu, Activation.Tanh, new Random(1));
        var source = Mlp<double>.Create([3, 4, 2], Activation.Relu, Activation.Tanh, new Random(2));
        var before = target.Parameters.ToArray();
        target.SoftUpdateFrom(source, 0.01);
        for (int i = 0; i < before.Length; i++)
        {
            Assert.Equal((0.99 * before[i]) + (0.01 * source.Parameters[i]), target.Parameters[i], 1e-14);
        }

        target.SoftUpdateFrom(source, 1.0);
        Assert.Equal(source.Parameters.ToArray(), target.Parameters.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => target.SoftUpdateFrom(source, 1.5));
        var other = Mlp<double>.Create([3, 5, 2], Activation.Relu, Activation.Tanh, new Random(2));
        Assert.Throws<ArgumentException>(() => target.SoftUpdateFrom(other, 0.1));
    }

    [Fact]
    public void Create_SameSeed_SameParametersInFloatAndDouble()
    {
        var a = Mlp<double>.Create([12, 128, 128, 2], Activation.Relu, Activation.Tanh, new Random(42));
        var b = Mlp<double>.Create([12, 128, 128, 2], Activation.Relu, Activation.Tanh, new Random(42));
        var f = Mlp<float>.Create([12, 128, 128, 2], Activation.Relu, Activation.Tanh, new Random(42));
        var c = Mlp<double>.Create([12, 128, 128, 2], Activation.Relu, Activation.Tanh, new Random(43));
        Assert.Equal(a.Parameters.ToArray(), b.Parameters.ToArray());
        Assert.NotEqual(a.Parameters.ToArray(), c.Parameters.ToArray());
        for (int i = 0; i < a.ParameterCount; i++)
        {
            Assert.Equal((float)a.Parameters[i], f.Parameters[i]);
        }
    }

    [Fact]
    public void Create_Ddpg_HiddenHeUniformAndSmallFinalLayer()
    {
        var network = Mlp<double>.Create([12, 128, 128, 2], Activation.Relu, Activation.Tanh, new Random(7));
        double he = Math.Sqrt(6.0 / 12);
        Assert.All(network.Layers[0].Weights.ToArray(), w => Assert.InRange(Math.Abs(w), 0, he));
        Assert.True(network.Layers[0].Weights.ToArray().Max(Math.Abs) > 0.9 * he);
        Assert.All(network.Layers[0].Bias.ToArray(), b => Assert.Equal(0.0, b));
        Assert.All(network.Layers[2].Weights.ToArray(), w => Assert.InRange(Math.Abs(w), 0, 3e-3));
        Assert.All(network.Layers[2].Bias.ToArray(), w => Assert.InRange(Math.Abs(w), 0, 3e-3));
    }
}
