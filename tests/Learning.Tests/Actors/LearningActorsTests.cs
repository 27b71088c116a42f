using V2V.Actors;
using V2V.Actors.TestKit;
using V2V.Learning.Actors;
using V2V.Learning.Maddpg;
using V2V.Learning.Tests.Maddpg;
using V2V.Market.Protocol;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Learning.Tests.Actors;

public sealed class LearningActorsTests : IDisposable
{
    private readonly ActorTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    [Fact]
    public void Learner_FiveTransitionsBatchOfTwo_SendsTwoFullBatchesThenTheRestOnFlush()
    {
        var critic = _kit.CreateTestProbe("critic");
        var learner = _kit.ActorOf(LearnerActor.Props(critic.Ref, 2), "learner");
        for (int i = 0; i < 5; i++)
        {
            learner.Tell(Transition(i), ActorRefs.NoSender);
        }

        var first = critic.ExpectMsg<TransitionBatch>();
        var second = critic.ExpectMsg<TransitionBatch>();
        critic.ExpectNoMsg();
        learner.Tell(Flush.Instance, ActorRefs.NoSender);
        var third = critic.ExpectMsg<TransitionBatch>();

        Assert.Equal([0L, 1L, 2L], new[] { first.Sequence, second.Sequence, third.Sequence });
        Assert.Equal([0f, 1f, 2f, 3f, 4f], first.Transitions.Concat(second.Transitions).Concat(third.Transitions).Select(t => t.Reward));
        learner.Tell(Flush.Instance, ActorRefs.NoSender);
        critic.ExpectNoMsg();
    }

    [Fact]
    public void Critic_BatchesThenTrain_PublishesIncreasingVersionsOfTheTrainedActor()
    {
        var config = Fixtures.Small() with { WarmupTransitions = 4, BatchSize = 4 };
        var trainer = new CriticTrainer(new MaddpgLearner(config, seed: 1), seed: 2);
        var critic = _kit.ActorOf(CriticActor.Props(trainer), "critic");
        var ev = _kit.CreateTestProbe("ev");
        critic.Tell(new SubscribePolicy(ev.Ref), ActorRefs.NoSender);
        Assert.Equal(0, ev.ExpectMsg<PolicyPublished>().Version);

        critic.Tell(new Train(1), ActorRefs.NoSender);
        ev.ExpectNoMsg(); // not warm: nothing stored yet

        var batch = new TransitionBatch("node-a", 0, [Transition(0), Transition(1), Transition(2), Transition(3)]);
        critic.Tell(batch, ActorRefs.NoSender);
        critic.Tell(batch, ActorRefs.NoSender); // a duplicated delivery is stored once
        critic.Tell(new Train(2), ActorRefs.NoSender);
        var v1 = ev.ExpectMsg<PolicyPublished>();
        critic.Tell(new Train(1), ActorRefs.NoSender);
        var v2 = ev.ExpectMsg<PolicyPublished>();

        Assert.Equal(1, v1.Version);
        Assert.Equal(2, v1.Updates);
        Assert.True(double.IsFinite(v1.MeanCriticLoss));
        Assert.Equal(2, v2.Version);
        Assert.Equal(4, v2.StoredTransitions);
        Assert.Equal(trainer.Learner.Actor.GetParameters(), v2.ActorParameters);
        Assert.NotEqual(v1.ActorParameters, v2.ActorParameters);
        Assert.Equal(3, trainer.Learner.Updates);
    }

    [Fact]
    public void VersionedPolicy_StaleOrRepeatedVersion_Ignored()
    {
        var config = Fixtures.Small();
        var learner = new MaddpgLearner(config, seed: 3);
        var policy = new VersionedPolicy(config);
        var v2 = new PolicyPublished(2, learner.Actor.GetParameters(), 0, 0, double.NaN);
        var v1 = new PolicyPublished(1, new float[learner.Actor.ParameterCount], 0, 0, double.NaN);
        Assert.True(policy.Apply(v2));
        Assert.False(policy.Apply(v1));
        Assert.False(policy.Apply(v2));
        Assert.Equal(2, policy.Version);
    }

    [Theory]
    [InlineData("learning-only")]
    [InlineData("nash-maddpg")]
    public void Training_ThroughActorsInVirtualTime_SameWeightsAsDirect(string method)
    {
        var config = Fixtures.Small();
        using var direct = new V2V.Learning.Training.TrainingSession(Fixtures.Market, config, TrainingMethod.Parse(method), 7);
        using var viaActors = new V2V.Learning.Training.TrainingSession(Fixtures.Market, config, TrainingMethod.Parse(method), 7, throughActors: true);
        for (int e = 0; e < 3; e++)
        {
            Assert.Equal(direct.RunNextEpisode(), viaActors.RunNextEpisode());
        }

        Assert.True(direct.Learner.Updates > 0);
        Assert.Equal(direct.Learner.Updates, viaActors.Learner.Updates);
        Assert.Equal(direct.Learner.Actor.GetParameters(), viaActors.Learner.Actor.GetParameters());
        Assert.Equal(direct.Learner.Critic.GetParameters(), viaActors.Learner.Critic.GetParameters());
    }

    private static TransitionObserved Transition(int i)
    {
        var input = new float[CriticContext.CriticInputSize];
        input[0] = i;
        return new TransitionObserved(input, i, i % 2 == 0 ? null : input);
    }
}
