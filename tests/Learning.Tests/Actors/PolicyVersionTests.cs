using Akka.Actor;
using Akka.TestKit;
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
/// Policy versions reach a real EV actor through its node's policy holder, which answers each with
/// <see cref="PolicyApplied"/>; the EV bids with the newest version it has, and a version delivered late never takes
/// it back.
/// </summary>
public sealed class PolicyVersionTests : Akka.TestKit.Xunit2.TestKit
{
    // Every message crosses the serializer, as it would between nodes.
    private static readonly Akka.Configuration.Config SerializeMessages = V2V.Simulation.Serialization.ProtocolSerialization.CheckingEveryMessage();

    public PolicyVersionTests()
        : base(SerializeMessages)
    {
    }

    [Fact]
    public void EvActor_VersionKThenKPlusOneThenALateK_BidsWithKUntilKPlusOneArrivesAndNeverGoesBack()
    {
        var config = Fixtures.Small();
        var model = VehicleModels.From(Fixtures.Market);
        var vehicle = new Vehicle("ev-1", ArrivalStep: 0, DepartureStep: 12, ArrivalSoc: 0.3, TargetSoc: 0.7, Markup: 0);
        var weightsK = new MaddpgLearner(config, seed: 11).Actor;
        var weightsNext = new MaddpgLearner(config, seed: 12).Actor;
        var policy = new VersionedPolicy(config);
        var holder = Sys.ActorOf(PolicyHolderActor.Props(policy), "policy");
        var market = CreateTestProbe("market");
        var critic = CreateTestProbe("critic");
        var ev = Sys.ActorOf(EvActor.Props(() => new EvAgentState(vehicle, model, policy), FaultPlan.None, market.Ref, false, null), "ev-1");

        // What the same vehicle (no trades yet, so the same state) bids at a step with fixed weights, no actors.
        SubmitOrder Expected(TorchMlp weights, StepOpened opened) =>
            new EvAgentState(vehicle, model, LearnedPolicy.FromActor(weights)).DecideOrder(opened)!;

        SubmitOrder OrderAt(int step, out StepOpened opened)
        {
            opened = new StepOpened(step, "ev-1", ArrivedMs: 1_800_000 * step, DeadlineMs: (1_800_000 * step) + 600_000, 0.165, 0.17);
            ev.Tell(opened, market.Ref);
            var answer = market.ExpectMsg<OrderAnswer>(a => a.Step == step);
            return Assert.IsType<SubmitOrder>(answer.Order);
        }

        // The holder answers only once the version is applied: the next opening is bid with it.
        void Publish(long version, TorchMlp weights)
        {
            holder.Tell(Published(version, weights), critic.Ref);
            Assert.Equal(version, critic.ExpectMsg<PolicyApplied>().Version);
        }

        const long K = 3;
        Publish(K, weightsK);
        var step0 = OrderAt(0, out var opened0);
        var step1 = OrderAt(1, out var opened1);
        AssertSameOrder(Expected(weightsK, opened0), step0);
        AssertSameOrder(Expected(weightsK, opened1), step1);

        Publish(K + 1, weightsNext);
        var step2 = OrderAt(2, out var opened2);
        AssertSameOrder(Expected(weightsNext, opened2), step2);
        Assert.NotEqual(Expected(weightsK, opened2).PriceAudPerKwh, step2.PriceAudPerKwh);

        Publish(K, weightsK); // reordered delivery: the older version comes in last, and is ignored
        var step3 = OrderAt(3, out var opened3);
        AssertSameOrder(Expected(weightsNext, opened3), step3);
        Assert.NotEqual(Expected(weightsK, opened3).PriceAudPerKwh, step3.PriceAudPerKwh);
        Assert.Equal(K + 1, policy.Version);
    }

    [Fact]
    public void EvAgentState_NoVersionYet_FailsRatherThanBidWithUntrainedWeights()
    {
        var policy = new VersionedPolicy(Fixtures.Small());
        var state = new EvAgentState(new Vehicle("ev-2", 0, 12, 0.3, 0.7, 0), VehicleModels.From(Fixtures.Market), policy);

        Assert.Throws<InvalidOperationException>(() => state.DecideOrder(new StepOpened(0, "ev-2", 0, 600_000, 0.165, 0.165)));
    }

    // SubmitOrder's CriticRow is an array (reference equality in the record): compare the book fields.
    private static void AssertSameOrder(SubmitOrder expected, SubmitOrder actual) =>
        Assert.Equal(
            (expected.Step, expected.Agent, expected.Side, expected.PriceAudPerKwh, expected.EnergyKwh, expected.TrueValueAudPerKwh),
            (actual.Step, actual.Agent, actual.Side, actual.PriceAudPerKwh, actual.EnergyKwh, actual.TrueValueAudPerKwh));

    private static PolicyPublished Published(long version, TorchMlp actor) =>
        new(version, actor.GetParameters(), StoredTransitions: 0, Updates: 0, MeanCriticLoss: double.NaN);
}
