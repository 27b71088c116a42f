using V2V.Actors;
using V2V.Actors.TestKit;
using V2V.Agents.Actors;
using V2V.Agents.Vehicles;
using V2V.Learning.Actors;
using V2V.Learning.Maddpg;
using V2V.Learning.Tests.Maddpg;
using V2V.Market.Configuration;
using V2V.Market.Faults;
using V2V.Market.Protocol;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Learning.Tests.Actors;

/// <summary>
/// DESIGN step 6 at one EV actor, with TestProbes as its coordinator and its learner in virtual time: scored steps
/// become transitions; a dropout or a crash ends the EV's chain with one terminal transition, never sent twice.
/// </summary>
public sealed class EvTransitionTests : IDisposable
{
    private readonly ActorTestKit _kit = new();
    private readonly TestProbe _market;
    private readonly TestProbe _learner;

    public EvTransitionTests()
    {
        _market = _kit.CreateTestProbe("market");
        _learner = _kit.CreateTestProbe("learner");
    }

    public void Dispose() => _kit.Dispose();

    [Fact]
    public void EvActor_ScoredSteps_SendsEachTransitionWithTheNextScoreAsItsNextState()
    {
        var ev = Ev(FaultPlan.None, "ev-1");
        var order0 = Open(ev, 0);
        Assert.NotNull(order0.CriticRow);
        var score0 = Score(ev, 0, "ev-1", reward: 0.5);
        _learner.ExpectNoMsg();
        Open(ev, 1);
        var score1 = Score(ev, 1, "ev-1", reward: 0.25);

        var t = _learner.ExpectMsg<TransitionObserved>();
        Assert.Equal(score0.CriticInput, t.Input);
        Assert.Equal(score1.CriticInput, t.NextInput);
        Assert.Equal((0.5f, 0, score0.BookIndex, "ev-1", 0L), (t.Reward, t.Step, t.BookIndex, t.Agent, t.PolicyVersion));

        _market.Send(ev, new Depart(2));
        var last = _learner.ExpectMsg<TransitionObserved>();
        Assert.Null(last.NextInput);
        Assert.Equal((1, score1.CriticInput), (last.Step, last.Input));
        _learner.ExpectNoMsg();
    }

    [Fact]
    public void EvActor_DropsOutOnOpen_ItsPendingTransitionEndsDoneAndIsSentOnce()
    {
        var config = new FaultConfig(0, 0.5, 0, 0, 0, 0, TimeSpan.Zero);
        var plan = new FaultPlan(config, seed: 3);
        var id = FirstAgent(a => plan.Dropout(a, 0) == DropoutPhase.None && plan.Dropout(a, 1) == DropoutPhase.OnOpen);
        var ev = Ev(plan, id);
        Open(ev, 0);
        var score0 = Score(ev, 0, id, reward: 1);

        _market.Send(ev, Opened(1));
        _market.FishForMessage<FaultReport>(f => f.Fault == "dropout-on-open");
        var done = _learner.ExpectMsg<TransitionObserved>();
        Assert.Null(done.NextInput);
        Assert.Equal((0, score0.CriticInput, 1f), (done.Step, done.Input, done.Reward));

        // A score for the gone EV and its departure change nothing: nothing more reaches the learner.
        _market.Send(ev, score0 with { Step = 1 });
        _learner.ExpectNoMsg();
    }

    [Fact]
    public void EvActor_CrashesAtACommit_ItsPendingTransitionEndsDoneOnceAndTheRestartedEvStartsAFreshChain()
    {
        var config = new FaultConfig(0.5, 0, 0, 0, 0, 0, TimeSpan.Zero);
        var plan = new FaultPlan(config, seed: 4);
        var id = FirstAgent(a => !plan.Crashes(a, 0) && plan.Crashes(a, 1) && !plan.Crashes(a, 2) && !plan.Crashes(a, 3));
        var ev = Ev(plan, id);
        Open(ev, 0);
        var score0 = Score(ev, 0, id, reward: 1);
        Open(ev, 1);
        _learner.ExpectNoMsg();

        // The crash comes at the step's first commit; the failed instance ends its chain as it stops.
        _market.Send(ev, new FillCommitted(1, 7, id, "other", 0.2, 1));
        _market.FishForMessage<FaultReport>(f => f.Fault == "crash");
        var done = _learner.ExpectMsg<TransitionObserved>();
        Assert.Null(done.NextInput);
        Assert.Equal((0, score0.CriticInput), (done.Step, done.Input));

        var recover = _market.FishForMessage<RecoverState>(_ => true);
        _market.Reply(new StateRecovered(recover.Agent, 0.3, 0, []));

        // The step-1 score reaches the new instance, which never ordered in step 1: no transition, none resent.
        Score(ev, 1, id, reward: 2);
        _learner.ExpectNoMsg();
        Open(ev, 2);
        var score2 = Score(ev, 2, id, reward: 3);
        Open(ev, 3);
        var score3 = Score(ev, 3, id, reward: 4);
        var next = _learner.ExpectMsg<TransitionObserved>();
        Assert.Equal((2, score2.CriticInput, score3.CriticInput), (next.Step, next.Input, next.NextInput));
        _learner.ExpectNoMsg();
    }

    private IActorRef Ev(FaultPlan plan, string id)
    {
        var config = Fixtures.Small();
        var policy = new VersionedPolicy(config);
        policy.Apply(new PolicyPublished(0, new MaddpgLearner(config, seed: 1).Actor.GetParameters(), 0, 0, double.NaN));
        var vehicle = new Vehicle(id, ArrivalStep: 0, DepartureStep: 12, ArrivalSoc: 0.3, TargetSoc: 0.7, Markup: 0);
        var model = VehicleModels.From(Fixtures.Market);
        var learner = _learner.Ref;
        return _kit.ActorOf(
            Props.Create(() => new EvActor(
                new EvAgentState(vehicle, model, new ExploringPolicy(policy, new OrnsteinUhlenbeckNoise(0.15, 2) { Sigma = 0 }, id, new Random(5))),
                plan,
                _market.Ref,
                false,
                learner)),
            id);
    }

    private static StepOpened Opened(int step) => new(step, DeadlineMs: 600_000 * (step + 1), 0.165, 0.165);

    private SubmitOrder Open(IActorRef ev, int step)
    {
        _market.Send(ev, Opened(step));
        return _market.FishForMessage<SubmitOrder>(o => o.Step == step);
    }

    private StepScored Score(IActorRef ev, int step, string id, double reward)
    {
        var input = new float[CriticContext.CriticInputSize];
        input.AsSpan().Fill(step + 0.5f);
        var score = new StepScored(step, id, BookIndex: 2, reward, reward, 0, 0, 0, input);
        _market.Send(ev, score);
        return score;
    }

    private static string FirstAgent(Func<string, bool> fits)
    {
        for (int i = 0; i < 10_000; i++)
        {
            if (fits($"ev-{i}"))
            {
                return $"ev-{i}";
            }
        }

        throw new InvalidOperationException("no agent id fits the fault pattern");
    }
}
