using V2V.Actors;
using V2V.Actors.TestKit;
using V2V.Agents.Actors;
using V2V.Agents.Vehicles;
using V2V.Learning.Actors;
using V2V.Learning.Maddpg;
using V2V.Learning.Networks;
using V2V.Learning.Tests.Maddpg;
using V2V.Market.Faults;
using V2V.Market.Protocol;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Learning.Tests.Actors;

/// <summary>
/// Issue 4 item 3: policy versions reach a real EV actor through its node's policy holder, the EV bids with the
/// newest version it has, and a version delivered late never takes it back.
/// </summary>
public sealed class PolicyVersionTests : IDisposable
{
    private readonly ActorTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    [Fact]
    public void EvActor_VersionKThenKPlusOneThenALateK_BidsWithKUntilKPlusOneArrivesAndNeverGoesBack()
    {
        var config = Fixtures.Small();
        var model = VehicleModels.From(Fixtures.Market);
        var vehicle = new Vehicle("ev-1", ArrivalStep: 0, DepartureStep: 12, ArrivalSoc: 0.3, TargetSoc: 0.7, Markup: 0);
        var weightsK = new MaddpgLearner(config, seed: 11).Actor;
        var weightsNext = new MaddpgLearner(config, seed: 12).Actor;
        var policy = new VersionedPolicy(config);
        var holder = _kit.ActorOf(PolicyHolderActor.Props(policy), "policy");
        var market = _kit.CreateTestProbe("market");
        var critic = _kit.CreateTestProbe("critic");
        var ev = _kit.ActorOf(Props.Create(() => new EvActor(new EvAgentState(vehicle, model, policy), FaultPlan.None, market.Ref, false)), "ev-1");

        // What the same vehicle (no trades yet, so the same state) bids at a step with fixed weights, no actors.
        SubmitOrder Expected(TorchMlp weights, StepOpened opened) =>
            new EvAgentState(vehicle, model, LearnedPolicy.FromActor(weights)).DecideOrder(opened)!;

        SubmitOrder OrderAt(int step, out StepOpened opened)
        {
            opened = new StepOpened(step, DeadlineMs: 600_000 * (step + 1), LastPriceAudPerKwh: 0.165, RecentPriceAudPerKwh: 0.17);
            market.Send(ev, opened);
            return market.ExpectMsg<SubmitOrder>(o => o.Step == step);
        }

        const long K = 3;
        critic.Send(holder, Published(K, weightsK));
        var step0 = OrderAt(0, out var opened0);
        var step1 = OrderAt(1, out var opened1);
        Assert.Equal(Expected(weightsK, opened0), step0);
        Assert.Equal(Expected(weightsK, opened1), step1);

        critic.Send(holder, Published(K + 1, weightsNext));
        var step2 = OrderAt(2, out var opened2);
        Assert.Equal(Expected(weightsNext, opened2), step2);
        Assert.NotEqual(Expected(weightsK, opened2).PriceAudPerKwh, step2.PriceAudPerKwh);

        critic.Send(holder, Published(K, weightsK)); // reordered delivery: the older version comes in last
        var step3 = OrderAt(3, out var opened3);
        Assert.Equal(Expected(weightsNext, opened3), step3);
        Assert.NotEqual(Expected(weightsK, opened3).PriceAudPerKwh, step3.PriceAudPerKwh);
        Assert.Equal(K + 1, policy.Version);
    }

    [Fact]
    public void EvActor_NoVersionYet_FailsRatherThanBidWithUntrainedWeights()
    {
        var policy = new VersionedPolicy(Fixtures.Small());
        var state = new EvAgentState(new Vehicle("ev-2", 0, 12, 0.3, 0.7, 0), VehicleModels.From(Fixtures.Market), policy);

        Assert.Throws<InvalidOperationException>(() => state.DecideOrder(new StepOpened(0, 600_000, 0.165, 0.165)));
    }

    private static PolicyPublished Published(long version, TorchMlp actor) =>
        new(version, actor.GetParameters(), StoredTransitions: 0, Updates: 0, MeanCriticLoss: double.NaN);
}
