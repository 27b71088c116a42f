using TorchSharp;
using V2V.Learning.Maddpg;
using V2V.Learning.Networks;
using static TorchSharp.torch;

namespace V2V.Learning.Tests.Maddpg;

public sealed class MaddpgLearnerTests
{
    private const int Width = CriticContext.CriticInputSize;

    // Autograd through the pooled critic input (observation slots to the actor, its actions into columns 12-13,
    // the pooled context passed through), checked against central differences of -mean Q computed in float64 by
    // writing the actions into the inputs by hand.
    [Fact]
    public void ActorLoss_Gradient_MatchesFiniteDifferencesThroughThePooledCriticInput()
    {
        const int batch = 5;
        var random = new Random(4);
        using var actor = TorchMlp.Create([12, 8, 2], OutputActivation.Tanh, random, CPU, NetworkInitialisation.FanScaled, ScalarType.Float64);
        using var critic = TorchMlp.Create([Width, 8, 1], OutputActivation.Identity, random, CPU, NetworkInitialisation.FanScaled, ScalarType.Float64);
        var values = new double[batch * Width];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = random.NextDouble();
        }

        using var inputs = tensor(values, [batch, Width]);
        actor.Module.zero_grad();
        MaddpgLearner.ActorLoss(actor, critic, inputs).backward();

        double Loss()
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var x = (double[])values.Clone();
            var actions = actor.Forward(tensor(values, [batch, Width])[.., ..12]).data<double>().ToArray();
            for (int b = 0; b < batch; b++)
            {
                x[(b * Width) + 12] = actions[2 * b];
                x[(b * Width) + 13] = actions[(2 * b) + 1];
            }

            return -critic.Forward(tensor(x, [batch, Width])).mean().item<double>();
        }

        int checkedCount = 0;
        foreach (var p in actor.Module.parameters())
        {
            var analytic = p.grad!.data<double>().ToArray();
            for (int i = 0; i < analytic.Length; i += 3)
            {
                double numeric = Central(p, i, Loss);
                Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-6 + (1e-5 * Math.Abs(numeric)), $"parameter {i}: numeric {numeric}, autograd {analytic[i]}");
                checkedCount++;
            }
        }

        Assert.True(checkedCount > 20);
    }

    [Fact]
    public void WithActions_ReplacesOnlyTheActionColumns()
    {
        using var inputs = arange(2 * Width, ScalarType.Float32).reshape(2, Width);
        using var actions = tensor(new float[] { -1, -2, -3, -4 }, [2, 2]);
        var composed = MaddpgLearner.WithActions(inputs, actions).data<float>().ToArray();
        for (int b = 0; b < 2; b++)
        {
            for (int d = 0; d < Width; d++)
            {
                float expected = d == 12 ? -1 - (2 * b) : d == 13 ? -2 - (2 * b) : (b * Width) + d;
                Assert.Equal(expected, composed[(b * Width) + d]);
            }
        }
    }

    // A one-step problem with a known optimum: every transition ends (done), the reward is
    // -(a1 - 0.3)^2 - (a2 + 0.5)^2 (observation ones, context zero), so the best action is (0.3, -0.5). The actor
    // starts near (0, 0) (DDPG's small final layer); the critic's fit of the bowl leaves it within about 0.1.
    [Fact]
    public void Update_OneStepQuadraticReward_ActorConvergesToTheOptimum()
    {
        var config = Fixtures.Small() with { CriticHidden = [64, 64], BatchSize = 128, ReplayCapacity = 4096 };
        using var learner = new MaddpgLearner(config, seed: 1);
        var random = new Random(2);
        var input = new float[Width];
        for (int k = 0; k < 4096; k++)
        {
            for (int d = 0; d < Width; d++)
            {
                input[d] = d is 12 or 13 ? (float)((2 * random.NextDouble()) - 1) : d < 12 ? 1f : 0f;
            }

            float reward = -(Square(input[12] - 0.3f) + Square(input[13] + 0.5f));
            learner.Replay.Add(input, reward, input, done: true);
        }

        for (int u = 0; u < 2000; u++)
        {
            learner.Update(random);
        }

        var observations = new float[12];
        Array.Fill(observations, 1f);
        var actions = learner.Act(observations, 1).ToArray();
        Assert.InRange(actions[0], 0.3f - 0.12f, 0.3f + 0.12f);
        Assert.InRange(actions[1], -0.5f - 0.12f, -0.5f + 0.12f);
    }

    [Fact]
    public void Update_SameSeedAndReplay_GivesBitIdenticalWeights()
    {
        float[][] Train()
        {
            using var learner = new MaddpgLearner(Fixtures.Small(), seed: 9);
            Fill(learner.Replay, new Random(5), 300);
            var random = new Random(6);
            for (int u = 0; u < 30; u++)
            {
                learner.Update(random);
            }

            return [learner.Actor.GetParameters(), learner.Critic.GetParameters(), learner.TargetActor.GetParameters(), learner.TargetCritic.GetParameters()];
        }

        var first = Train();
        var second = Train();
        for (int n = 0; n < first.Length; n++)
        {
            Assert.Equal(first[n], second[n]);
        }
    }

    private static void Fill(ReplayBuffer replay, Random random, int count)
    {
        var input = new float[Width];
        var next = new float[Width];
        for (int k = 0; k < count; k++)
        {
            for (int d = 0; d < Width; d++)
            {
                input[d] = (float)random.NextDouble();
                next[d] = (float)random.NextDouble();
            }

            replay.Add(input, (float)((2 * random.NextDouble()) - 1), next, done: random.Next(4) == 0);
        }
    }

    private static double Central(Tensor parameter, int index, Func<double> loss)
    {
        const double h = 1e-6;
        using var flat = parameter.detach().view(-1);
        double original;
        using (no_grad())
        {
            original = flat[index].item<double>();
            flat[index] = original + h;
        }

        double plus = loss();
        using (no_grad())
        {
            flat[index] = original - h;
        }

        double minus = loss();
        using (no_grad())
        {
            flat[index] = original;
        }

        return (plus - minus) / (2 * h);
    }

    private static float Square(float x) => x * x;
}
