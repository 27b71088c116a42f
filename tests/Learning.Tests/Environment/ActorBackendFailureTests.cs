using V2V.Learning.Environment;
using V2V.Learning.Maddpg;
using V2V.Learning.Tests.Maddpg;

namespace V2V.Learning.Tests.Environment;

public sealed class ActorBackendFailureTests
{
    [Fact]
    public void ActorBackend_CriticThrowsOnATransition_FailureReachesTheTrainerInsteadOfARestart()
    {
        var config = Fixtures.Small();
        using var backend = new ActorBackend(new MaddpgLearner(config, seed: 1), config, seed: 2);
        backend.BeginEpisode(0);

        // A transition one value short of the critic's input width: storing it throws inside the critic actor.
        var width = CriticContext.CriticInputSize;
        backend.Add(new float[width - 1], reward: 1f, new float[width - 1], done: false);

        var e = Assert.Throws<InvalidOperationException>(() => backend.EndStep(1));
        Assert.StartsWith("the training actor critic failed: ", e.Message);
    }
}
