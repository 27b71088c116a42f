using V2V.Simulation.Training;
using V2V.Learning.Environment;
using V2V.Learning.Maddpg;

namespace V2V.Learning.Tests.Maddpg;

public sealed class TrainingDeterminismTests
{
    [Theory]
    [InlineData("learning-only")]
    [InlineData("nash-maddpg")]
    public void Training_SameSeedTwice_IdenticalWeights(string method)
    {
        var a = Train(method, seed: 5, episodes: 3);
        var b = Train(method, seed: 5, episodes: 3);
        Assert.True(a.Learner.Updates > 0, "the warm-up must end within the test so updates are compared too");
        Assert.Equal(a.Learner.Actor.GetParameters(), b.Learner.Actor.GetParameters());
        Assert.Equal(a.Learner.Critic.GetParameters(), b.Learner.Critic.GetParameters());
        Assert.Equal(a.Reports, b.Reports);
        var c = Train(method, seed: 6, episodes: 3);
        Assert.NotEqual(a.Learner.Actor.GetParameters(), c.Learner.Actor.GetParameters());
    }

    [Fact]
    public void Episode_Reports_AreConsistent()
    {
        var (learner, reports) = Train("learning-only", seed: 2, episodes: 3);
        foreach (var r in reports)
        {
            Assert.InRange(r.Agents, 6, 12);
            Assert.InRange(r.MatchRate, 0, 1);
            Assert.True(double.IsFinite(r.SocialWelfareAud) && r.VolumeKwh >= 0);
            Assert.True(r.Transitions > 0);
        }

        Assert.Equal(learner.Replay.Added, reports.Sum(r => (long)r.Transitions));
    }

    private static (MaddpgLearner Learner, List<EpisodeReport> Reports) Train(string method, int seed, int episodes)
    {
        var config = Fixtures.Small(episodes);
        var learner = new MaddpgLearner(config, seed);
        var runner = new MarketEpisodeRunner(Fixtures.Market, config, TrainingMethod.Parse(method), seed, learner);
        var reports = new List<EpisodeReport>();
        for (int e = 0; e < episodes; e++)
        {
            reports.Add(runner.Run(e, EpisodeMode.Train));
        }

        return (learner, reports);
    }
}
