using V2V.Learning.Nn;

namespace V2V.Learning.Tests.Nn;

public sealed class ActorCriticGradientTests
{
    // The DDPG actor step: L(theta) = -mean_b Q(o_b, mu_theta(o_b)). The analytic path runs the critic backward
    // for dQ/da only (no critic parameter gradients), then the actor backward with that as dL/da.
    [Fact]
    public void ActorStep_DqDaThroughCritic_MatchesFiniteDifferencesOnActorParameters()
    {
        const int obs = 5, act = 2, batch = 6;
        var random = new Random(21);
        var actor = Mlp<double>.Create([obs, 16, act], Activation.Relu, Activation.Tanh, random, MlpInitialisation.FanScaled);
        var critic = Mlp<double>.Create([obs + act, 16, 12, 1], Activation.Relu, Activation.Identity, random, MlpInitialisation.FanScaled);
        var observations = GradientCheck.RandomArray(random, batch * obs);

        actor.ZeroGrad();
        critic.ZeroGrad();
        var actions = actor.Forward(observations, batch).ToArray();
        var criticInput = Join(observations, actions, batch, obs, act);
        critic.Forward(criticInput, batch);
        var dQ = new double[batch];
        Array.Fill(dQ, -1.0 / batch);
        var dCriticInput = new double[criticInput.Length];
        critic.Backward(dQ, dCriticInput, accumulateParameterGradients: false);
        var dActions = new double[batch * act];
        for (int b = 0; b < batch; b++)
        {
            dCriticInput.AsSpan((b * (obs + act)) + obs, act).CopyTo(dActions.AsSpan(b * act, act));
        }

        actor.Backward(dActions);
        Assert.All(critic.Gradients.ToArray(), g => Assert.Equal(0.0, g));

        double Loss()
        {
            var a = actor.Forward(observations, batch).ToArray();
            var q = critic.Forward(Join(observations, a, batch, obs, act), batch);
            double sum = 0;
            foreach (double v in q)
            {
                sum += v;
            }

            return -sum / batch;
        }

        var numeric = GradientCheck.Numeric(actor.Parameters, Loss);
        GradientCheck.AssertClose(numeric, actor.Gradients.ToArray(), "dL/dtheta_actor");
    }

    private static double[] Join(double[] observations, double[] actions, int batch, int obs, int act)
    {
        var joined = new double[batch * (obs + act)];
        for (int b = 0; b < batch; b++)
        {
            observations.AsSpan(b * obs, obs).CopyTo(joined.AsSpan(b * (obs + act)));
            actions.AsSpan(b * act, act).CopyTo(joined.AsSpan((b * (obs + act)) + obs));
        }

        return joined;
    }
}
