using V2V.Host.Configuration;

namespace V2V.Host.Tests.Configuration;

public sealed class LearningConfigBinderTests
{
    private static V2V.Learning.Maddpg.LearningConfig Bind(params string[] sets) => LearningConfigBinder.Bind(ConfigLoader.Load(null, sets));

    [Fact]
    public void Bind_ReferenceDefaults_AreSpec7sNumbers()
    {
        var c = Bind();

        Assert.Equal([128, 128], c.ActorHidden);
        Assert.Equal([128, 128], c.CriticHidden);
        Assert.Equal(1e-4, c.ActorLearningRate);
        Assert.Equal(1e-3, c.CriticLearningRate);
        Assert.Equal(0.95, c.Gamma);
        Assert.Equal(0.01, c.Tau);
        Assert.Equal(100_000, c.ReplayCapacity);
        Assert.Equal(256, c.BatchSize);
        Assert.Equal((0.15, 0.2, 0.05), (c.OuTheta, c.OuSigmaStart, c.OuSigmaEnd));
        Assert.Equal(2000, c.Episodes);
        Assert.Equal(16, c.EpisodeSteps);
        Assert.Equal((6, 30), (c.TrainAgentsMin, c.TrainAgentsMax));
        Assert.Equal(50, c.Reward.Kappa);
        Assert.Equal(5, c.Reward.IrPenalty);
        Assert.Equal((0.5, 0.5), (c.Reward.CollectiveJainWeight, c.Reward.CollectiveMatchWeight));
    }

    [Fact]
    public void Bind_Overrides_AreRead()
    {
        var c = Bind("v2v.learning.actor-hidden=[16, 8]", "v2v.learning.batch-size=32", "v2v.learning.reward.kappa=0");

        Assert.Equal([16, 8], c.ActorHidden);
        Assert.Equal(32, c.BatchSize);
        Assert.Equal(0, c.Reward.Kappa);
    }

    [Theory]
    [InlineData("v2v.learning.observation-size=10", "v2v.learning.observation-size", "SPEC 7 fixes this at 12")]
    [InlineData("v2v.learning.action-size=3", "v2v.learning.action-size", "SPEC 7 fixes this at 2")]
    [InlineData("v2v.learning.train-agents-min=40", "v2v.learning.train-agents", "")]
    [InlineData("v2v.learning.replay-capacity=100", "v2v.learning.replay-capacity", "must hold at least one batch (256)")]
    [InlineData("v2v.learning.actor-hidden=[128, 0]", "v2v.learning.actor-hidden", "index 1")]
    [InlineData("v2v.learning.critic-hidden=wide", "v2v.learning.critic-hidden", "")]
    [InlineData("v2v.learning.actor-lr=0", "v2v.learning.actor-lr", "")]
    [InlineData("v2v.learning.gamma=1.5", "v2v.learning.gamma", "")]
    [InlineData("v2v.learning.tau=-0.1", "v2v.learning.tau", "")]
    [InlineData("v2v.learning.batch-size=0", "v2v.learning.batch-size", "")]
    [InlineData("v2v.learning.episodes=abc", "v2v.learning.episodes", "")]
    [InlineData("v2v.learning.ou-sigma-start=-1", "v2v.learning.ou-sigma-start", "")]
    [InlineData("v2v.learning.reward.kappa=-50", "v2v.learning.reward.kappa", "")]
    [InlineData("v2v.learning.reward.ir-penalty=x", "v2v.learning.reward.ir-penalty", "")]
    public void Bind_InvalidValue_ErrorNamesTheKey(string set, string key, string detail)
    {
        var e = Assert.Throws<ConfigException>(() => Bind(set));

        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains(detail, e.Message, StringComparison.Ordinal);
    }
}
