using Akka.Actor;
using Akka.TestKit;
using V2V.Agents.Actors;
using V2V.Agents.Vehicles;
using V2V.Learning.Actors;
using V2V.Learning.Maddpg;
using V2V.Learning.Tests.Maddpg;
using V2V.Market.Configuration;
using V2V.Market.Faults;
using V2V.Market.Orders;
using V2V.Market.Protocol;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Learning.Tests.Actors;

/// <summary>
/// DESIGN step 6 at one EV actor, with probes as its coordinator and its learner, under a parent that supervises and
/// stops it as the facility does: scored steps become transitions; leaving, a dropout or a crash ends the EV's chain
/// with one terminal transition, never sent twice.
/// </summary>
public sealed class EvTransitionTests : Akka.TestKit.Xunit2.TestKit
{
    // Every message crosses the serializer, as it would between nodes.
    private static readonly Akka.Configuration.Config SerializeMessages = V2V.Simulation.Serialization.ProtocolSerialization.CheckingEveryMessage();

    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);
    private readonly TestProbe market;
    private readonly TestProbe learner;

    public EvTransitionTests()
        : base(SerializeMessages)
    {
        market = CreateTestProbe("market");
        learner = CreateTestProbe("learner");
    }

    [Fact]
    public void EvActor_ScoredSteps_SendsEachTransitionWithTheNextScoreAsItsNextState()
    {
        var ev = Ev(FaultPlan.None, "ev-1");
        var order0 = Open(ev, "ev-1", 0);
        Assert.NotNull(order0.CriticRow);
        var score0 = Score(ev, 0, "ev-1", reward: 0.5);
        learner.ExpectNoMsg(Quiet);
        Open(ev, "ev-1", 1);
        var score1 = Score(ev, 1, "ev-1", reward: 0.25);

        var t = learner.ExpectMsg<TransitionObserved>();
        Assert.Equal(score0.CriticInput, t.Input);
        Assert.Equal(score1.CriticInput, t.NextInput!);
        Assert.Equal((0.5f, 0, score0.BookIndex, "ev-1", 0L), (t.Reward, t.Step, t.BookIndex, t.Agent, t.PolicyVersion));

        // Leaving: the EV reports, the facility stops it, and its pending transition goes out as terminal.
        ev.Tell(new Depart(2, "ev-1"), market.Ref);
        var last = learner.ExpectMsg<TransitionObserved>();
        Assert.Null(last.NextInput);
        Assert.Equal(1, last.Step);
        Assert.Equal(score1.CriticInput, last.Input);
        learner.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void EvActor_DropsOutOnOpen_ItsPendingTransitionEndsDoneAndIsSentOnce()
    {
        var plan = new FaultPlan(new FaultConfig(0, 0.5, 0, 0, 0, 0, TimeSpan.Zero), seed: 3);
        var id = FirstAgent(a => plan.Dropout(a, 0) == DropoutPhase.None && plan.Dropout(a, 1) == DropoutPhase.OnOpen);
        var ev = Ev(plan, id);
        Open(ev, id, 0);
        var score0 = Score(ev, 0, id, reward: 1);

        ev.Tell(Opened(id, 1), market.Ref);
        Assert.Equal(EvFault.DropoutOnOpen, market.ExpectMsg<OrderAnswer>().Fault);
        var done = learner.ExpectMsg<TransitionObserved>();
        Assert.Null(done.NextInput);
        Assert.Equal((0, 1f), (done.Step, done.Reward));
        Assert.Equal(score0.CriticInput, done.Input);

        // A score for the gone EV changes nothing: nothing more reaches the learner.
        ev.Tell(score0 with { Step = 1 }, market.Ref);
        learner.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void EvActor_CrashesAtACommit_ItsPendingTransitionEndsDoneOnceAndTheRestartedEvStartsAFreshChain()
    {
        var plan = new FaultPlan(new FaultConfig(0.5, 0, 0, 0, 0, 0, TimeSpan.Zero), seed: 4);
        var id = FirstAgent(a => !plan.Crashes(a, 0) && plan.Crashes(a, 1) && !plan.Crashes(a, 2) && !plan.Crashes(a, 3));
        var ev = Ev(plan, id);
        Open(ev, id, 0);
        var score0 = Score(ev, 0, id, reward: 1);
        Open(ev, id, 1);
        learner.ExpectNoMsg(Quiet);

        // The crash comes at the step's first commit; the failed instance ends its chain as it stops.
        ev.Tell(new FillCommitted(new Fill(1, 7, id, "other", 0.2, 1), id, 0, 1_900_000), market.Ref);
        Assert.True(market.ExpectMsg<CommitAnswer>().Crashed);
        var done = learner.ExpectMsg<TransitionObserved>();
        Assert.Null(done.NextInput);
        Assert.Equal(0, done.Step);
        Assert.Equal(score0.CriticInput, done.Input);

        Assert.Equal(new RecoverState(id), market.ExpectMsg<RecoverState>());
        ev.Tell(new StateRecovered(id, 0.3, 0, []), market.Ref);

        // The step-1 score reaches the new instance, which never ordered in step 1: no transition, none resent.
        Score(ev, 1, id, reward: 2);
        learner.ExpectNoMsg(Quiet);
        Open(ev, id, 2);
        var score2 = Score(ev, 2, id, reward: 3);
        Open(ev, id, 3);
        var score3 = Score(ev, 3, id, reward: 4);
        var next = learner.ExpectMsg<TransitionObserved>();
        Assert.Equal(2, next.Step);
        Assert.Equal(score2.CriticInput, next.Input);
        Assert.Equal(score3.CriticInput, next.NextInput!);
        learner.ExpectNoMsg(Quiet);
    }

    private IActorRef Ev(FaultPlan plan, string id)
    {
        var config = Fixtures.Small();
        var policy = new VersionedPolicy(config);
        policy.Apply(new PolicyPublished(0, new MaddpgLearner(config, seed: 1).Actor.GetParameters(), 0, 0, double.NaN));
        var vehicle = new Vehicle(id, ArrivalStep: 0, DepartureStep: 12, ArrivalSoc: 0.3, TargetSoc: 0.7, Markup: 0);
        var model = VehicleModels.From(Fixtures.Market);
        var props = EvActor.Props(
            () => new EvAgentState(vehicle, model, new ExploringPolicy(policy, new OrnsteinUhlenbeckNoise(0.15, 2) { Sigma = 0 }, id, new Random(5))),
            plan,
            market.Ref,
            silent: false,
            learner.Ref);
        return Sys.ActorOf(EvParent.Props(props, id), "facility-" + id);
    }

    private static StepOpened Opened(string id, int step) =>
        new(step, id, ArrivedMs: 1_800_000 * step, DeadlineMs: (1_800_000 * step) + 600_000, 0.165, 0.165);

    private SubmitOrder Open(IActorRef ev, string id, int step)
    {
        ev.Tell(Opened(id, step), market.Ref);
        var answer = market.ExpectMsg<OrderAnswer>(a => a.Step == step);
        return Assert.IsType<SubmitOrder>(answer.Order);
    }

    private StepScored Score(IActorRef ev, int step, string id, double reward)
    {
        var input = new float[CriticContext.CriticInputSize];
        input.AsSpan().Fill(step + 0.5f);
        var score = new StepScored(step, id, BookIndex: 2, reward, reward, 0, 0, 0, input);
        ev.Tell(score, market.Ref);
        Assert.Equal(new ScoreTaken(step, id), market.ExpectMsg<ScoreTaken>());
        return score;
    }

    private static string FirstAgent(Func<string, bool> fits) =>
        Enumerable.Range(0, 10_000).Select(i => $"ev-{i}").First(fits);
}
