using V2V.Learning.Maddpg;
using V2V.Learning.Nn;
using V2V.Learning.Tests.Nn;

namespace V2V.Learning.Tests.Maddpg;

public sealed class LearnerGradientTests
{
    // The learner's own actor step, checked against central differences of -mean Q(o, mu(o), ctx) computed in
    // float64 on exact copies of its float32 networks.
    [Fact]
    public void AccumulateActorGradient_MatchesFiniteDifferencesOfTheCriticThroughTheActor()
    {
        const int batch = 5, width = CriticContext.CriticInputSize;
        var learner = new MaddpgLearner(Fixtures.Small() with { BatchSize = batch }, seed: 12);
        var random = new Random(4);
        // Perturb every parameter so neither network is near its small initial output.
        foreach (var net in new[] { learner.Actor, learner.Critic })
        {
            for (int i = 0; i < net.ParameterCount; i++)
            {
                net.Parameters[i] += (float)(0.3 * ((2 * random.NextDouble()) - 1));
            }
        }

        var inputs = new float[batch * width];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (float)random.NextDouble();
        }

        var contexts = (float[])inputs.Clone();
        learner.AccumulateActorGradient(inputs, batch);
        var analytic = Array.ConvertAll(learner.Actor.Gradients.ToArray(), x => (double)x);

        var actor = ToDouble(learner.Actor);
        var critic = ToDouble(learner.Critic);
        double Loss()
        {
            var observations = new double[batch * 12];
            for (int b = 0; b < batch; b++)
            {
                for (int d = 0; d < 12; d++)
                {
                    observations[(b * 12) + d] = contexts[(b * width) + d];
                }
            }

            var actions = actor.Forward(observations, batch).ToArray();
            var x = Array.ConvertAll(contexts, v => (double)v);
            for (int b = 0; b < batch; b++)
            {
                x[(b * width) + 12] = actions[2 * b];
                x[(b * width) + 13] = actions[(2 * b) + 1];
            }

            double sum = 0;
            foreach (double q in critic.Forward(x, batch))
            {
                sum += q;
            }

            return -sum / batch;
        }

        var numeric = GradientCheck.Numeric(actor.Parameters, Loss);
        GradientCheck.AssertClose(numeric, analytic, "dL/dtheta_actor", tolerance: 1e-4);
        Assert.Contains(analytic, g => Math.Abs(g) > 1e-3);
        Assert.All(learner.Critic.Gradients.ToArray(), g => Assert.Equal(0f, g));
    }

    private static Mlp<double> ToDouble(Mlp<float> network)
    {
        var copy = Mlp<double>.FromShape(network.Shape);
        for (int i = 0; i < network.ParameterCount; i++)
        {
            copy.Parameters[i] = network.Parameters[i];
        }

        return copy;
    }
}
