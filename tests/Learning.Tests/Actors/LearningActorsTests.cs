using Akka.Actor;
using Akka.TestKit;
using V2V.Simulation.Training;
using V2V.Learning.Actors;
using V2V.Learning.Maddpg;
using V2V.Learning.Tests.Maddpg;
using V2V.Market.Protocol;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Learning.Tests.Actors;

/// <summary>
/// DESIGN step 6's actors: the learner batches transitions to the critic; the critic trains, publishes versions, and
/// counts a version as out only when every subscriber has applied it (<see cref="PolicyApplied"/>), both when asked to
/// train and at a step boundary, which it passes only after every registered learner has flushed.
/// </summary>
public sealed class LearningActorsTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    [Fact]
    public void Learner_FiveTransitionsBatchOfTwo_SendsTwoFullBatchesThenTheRestOnFlush()
    {
        var critic = CreateTestProbe("critic");
        var learner = Sys.ActorOf(LearnerActor.Props(critic.Ref, 2), "learner");
        for (int i = 0; i < 5; i++)
        {
            learner.Tell(Transition(i), ActorRefs.NoSender);
        }

        var first = critic.ExpectMsg<TransitionBatch>();
        var second = critic.ExpectMsg<TransitionBatch>();
        critic.ExpectNoMsg(Quiet);
        learner.Tell(Flush.Instance, TestActor);
        var third = critic.ExpectMsg<TransitionBatch>();
        ExpectMsg<Flushed>();

        Assert.Equal([0L, 1L, 2L], new[] { first.Sequence, second.Sequence, third.Sequence });
        Assert.Equal([0f, 1f, 2f, 3f, 4f], first.Transitions.Concat(second.Transitions).Concat(third.Transitions).Select(t => t.Reward));
        learner.Tell(Flush.Instance, TestActor);
        ExpectMsg<Flushed>();
        critic.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Learner_StepFlush_SendsWhatIsBufferedBeforeItsStepFlushed()
    {
        var critic = CreateTestProbe("critic");
        var learner = Sys.ActorOf(LearnerActor.Props(critic.Ref, 10), "learner");
        learner.Tell(Transition(0), ActorRefs.NoSender);
        learner.Tell(new StepFlush(4), critic.Ref);

        Assert.Equal([0f], critic.ExpectMsg<TransitionBatch>().Transitions.Select(t => t.Reward));
        Assert.Equal(new StepFlushed(4), critic.ExpectMsg<StepFlushed>());

        // Nothing buffered: the step is still flushed, without an empty batch.
        learner.Tell(new StepFlush(5), critic.Ref);
        Assert.Equal(new StepFlushed(5), critic.ExpectMsg<StepFlushed>());
    }

    [Fact]
    public void Critic_BatchesThenTrain_PublishesIncreasingVersionsOfTheTrainedActor()
    {
        var (trainer, critic) = Critic(updatesPerStep: 0);
        var ev = CreateTestProbe("ev");
        critic.Tell(new SubscribePolicy(ev.Ref), TestActor);
        Assert.Equal(0, Applied(ev).Version);
        Assert.Equal(new TrainingDone(null), ExpectMsg<TrainingDone>());

        critic.Tell(new Train(1), TestActor);
        Assert.Null(ExpectMsg<TrainingDone>().Published); // not warm: nothing stored yet
        ev.ExpectNoMsg(Quiet);

        var batch = new TransitionBatch("node-a", 0, new[] { Transition(0), Transition(1), Transition(2), Transition(3) });
        critic.Tell(batch, ActorRefs.NoSender);
        critic.Tell(batch, ActorRefs.NoSender); // a duplicated delivery is stored once
        critic.Tell(new Train(2), TestActor);
        var v1 = Applied(ev);
        Assert.Equal(v1.Version, ExpectMsg<TrainingDone>().Published!.Version);
        critic.Tell(new Train(1), TestActor);
        var v2 = Applied(ev);
        Assert.Equal(v2.Version, ExpectMsg<TrainingDone>().Published!.Version);

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
    public void Critic_Train_AnswersOnlyAfterEverySubscriberAppliedTheNewVersion()
    {
        var (_, critic) = Critic(updatesPerStep: 0);
        var nodeA = CreateTestProbe("node-a");
        var nodeB = CreateTestProbe("node-b");
        critic.Tell(new SubscribePolicy(nodeA.Ref), TestActor);
        Applied(nodeA);
        ExpectMsg<TrainingDone>();
        critic.Tell(new SubscribePolicy(nodeB.Ref), TestActor);
        Applied(nodeB);
        ExpectMsg<TrainingDone>();
        critic.Tell(new TransitionBatch("node-a", 0, new[] { Transition(0), Transition(1), Transition(2), Transition(3) }), ActorRefs.NoSender);

        critic.Tell(new Train(1), TestActor);
        var atA = nodeA.ExpectMsg<PolicyPublished>();
        var atB = nodeB.ExpectMsg<PolicyPublished>();
        Assert.Equal((1L, 1L), (atA.Version, atB.Version));
        nodeA.Reply(new PolicyApplied(1));
        nodeB.Reply(new PolicyApplied(0)); // a stale answer does not count
        ExpectNoMsg(Quiet);

        nodeB.Reply(new PolicyApplied(1));
        Assert.Equal(1, ExpectMsg<TrainingDone>().Published!.Version);
    }

    [Fact]
    public void Critic_StepBoundary_PassesOnlyAfterLearnersFlushedAndSubscribersApplied()
    {
        var (_, critic) = Critic(updatesPerStep: 2);
        var node = CreateTestProbe("node");
        var learnerA = CreateTestProbe("learner-a");
        var learnerB = CreateTestProbe("learner-b");
        var market = CreateTestProbe("market");
        critic.Tell(new SubscribePolicy(node.Ref), TestActor);
        Applied(node);
        ExpectMsg<TrainingDone>();
        critic.Tell(new RegisterLearner(learnerA.Ref), ActorRefs.NoSender);
        critic.Tell(new RegisterLearner(learnerB.Ref), ActorRefs.NoSender);

        // Step 0 follows no market step: passed at once, no flush, no version.
        critic.Tell(new StepBoundary(0), market.Ref);
        Assert.Equal(new StepBoundaryPassed(0), market.ExpectMsg<StepBoundaryPassed>());
        learnerA.ExpectNoMsg(Quiet);
        node.ExpectNoMsg(Quiet);

        critic.Tell(new StepBoundary(1), market.Ref);
        Assert.Equal(new StepFlush(1), learnerA.ExpectMsg<StepFlush>());
        Assert.Equal(new StepFlush(1), learnerB.ExpectMsg<StepFlush>());
        learnerA.Reply(new TransitionBatch("a", 0, new[] { Transition(0), Transition(1) }));
        learnerA.Reply(new StepFlushed(1));
        learnerB.Reply(new StepFlushed(0)); // another boundary's answer does not count
        market.ExpectNoMsg(Quiet);
        node.ExpectNoMsg(Quiet); // learner b has not flushed: no training yet

        learnerB.Reply(new TransitionBatch("b", 0, new[] { Transition(2), Transition(3) }));
        learnerB.Reply(new StepFlushed(1));
        var published = node.ExpectMsg<PolicyPublished>();
        Assert.Equal((1L, 4L, 2), (published.Version, published.StoredTransitions, published.Updates));
        market.ExpectNoMsg(Quiet); // the node has not applied it yet

        node.Reply(new PolicyApplied(1));
        Assert.Equal(new StepBoundaryPassed(1), market.ExpectMsg<StepBoundaryPassed>());
    }

    [Fact]
    public void Critic_StepBoundaryNotWarm_PassesWithoutPublishing()
    {
        var (_, critic) = Critic(updatesPerStep: 2);
        var node = CreateTestProbe("node");
        var market = CreateTestProbe("market");
        critic.Tell(new SubscribePolicy(node.Ref), TestActor);
        Applied(node);
        ExpectMsg<TrainingDone>();

        critic.Tell(new StepBoundary(1), market.Ref);
        Assert.Equal(new StepBoundaryPassed(1), market.ExpectMsg<StepBoundaryPassed>());
        node.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void PolicyHolder_Version_AppliesItAndAnswersWithItsNumber()
    {
        var config = Fixtures.Small();
        var policy = new VersionedPolicy(config);
        var holder = Sys.ActorOf(PolicyHolderActor.Props(policy));
        var parameters = new MaddpgLearner(config, seed: 3).Actor.GetParameters();

        holder.Tell(new PolicyPublished(5, parameters, 0, 0, double.NaN), TestActor);

        Assert.Equal(new PolicyApplied(5), ExpectMsg<PolicyApplied>());
        Assert.Equal(5, policy.Version);
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
    public void Training_ThroughActors_SameWeightsAsDirect(string method)
    {
        var config = Fixtures.Small();
        using var direct = new TrainingSession(Fixtures.Market, config, TrainingMethod.Parse(method), 7);
        using var viaActors = new TrainingSession(Fixtures.Market, config, TrainingMethod.Parse(method), 7, throughActors: true);
        for (int e = 0; e < 3; e++)
        {
            Assert.Equal(direct.RunNextEpisode(), viaActors.RunNextEpisode());
        }

        Assert.True(direct.Learner.Updates > 0);
        Assert.Equal(direct.Learner.Updates, viaActors.Learner.Updates);
        Assert.Equal(direct.Learner.Actor.GetParameters(), viaActors.Learner.Actor.GetParameters());
        Assert.Equal(direct.Learner.Critic.GetParameters(), viaActors.Learner.Critic.GetParameters());
    }

    // Warm at 4 transitions, batches of 4, so a handful of transitions trains.
    private (CriticTrainer Trainer, IActorRef Critic) Critic(int updatesPerStep)
    {
        var config = Fixtures.Small() with { WarmupTransitions = 4, BatchSize = 4 };
        var trainer = new CriticTrainer(new MaddpgLearner(config, seed: 1), seed: 2);
        return (trainer, Sys.ActorOf(CriticActor.Props(trainer, updatesPerStep), "critic"));
    }

    // A subscriber takes the version it is sent and says so, as a policy holder does.
    private static PolicyPublished Applied(TestProbe subscriber)
    {
        var published = subscriber.ExpectMsg<PolicyPublished>();
        subscriber.Reply(new PolicyApplied(published.Version));
        return published;
    }

    private static TransitionObserved Transition(int i)
    {
        var input = new float[CriticContext.CriticInputSize];
        input[0] = i;
        return new TransitionObserved(input, i, i % 2 == 0 ? null : input);
    }
}

/// <summary>The learner's batches as they cross a node: every message through the actor system's serializer.</summary>
public sealed class LearnerSerializationTests : Akka.TestKit.Xunit2.TestKit
{
    public LearnerSerializationTests()
        : base(V2V.Simulation.Serialization.ProtocolSerialization.CheckingEveryMessage())
    {
    }

    [Fact]
    public void Learner_BatchThroughTheSerializer_ArrivesWithItsTransitions()
    {
        var critic = CreateTestProbe("critic");
        var learner = Sys.ActorOf(LearnerActor.Props(critic.Ref, 2), "learner");
        var input = new float[CriticContext.CriticInputSize];
        learner.Tell(new TransitionObserved(input, 1, null, Step: 3), ActorRefs.NoSender);
        learner.Tell(new TransitionObserved(input, 2, input, Step: 4), ActorRefs.NoSender);

        var batch = critic.ExpectMsg<TransitionBatch>();
        Assert.Equal([1f, 2f], batch.Transitions.Select(t => t.Reward));
        Assert.Equal([3, 4], batch.Transitions.Select(t => t.Step));
    }
}
