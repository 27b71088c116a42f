using V2V.Market.Orders;
using V2V.Market.Protocol;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Simulation.Tests.Serialization;

/// <summary>
/// A sample of every protocol message type (<see cref="ProtocolSerializerTests"/> fails while a type has none), with
/// values that stress the wire: -0, NaN, the infinities, subnormals, non-ASCII text, empty and null collections.
/// </summary>
internal static class ProtocolSamples
{
    /// <summary>One sample (or more) of every type that crosses a node.</summary>
    public static IReadOnlyList<IProtocolMessage> Crossing { get; } =
    [
        // V2V.Market.Protocol: the market step.
        new StepOpened(12, 1_800_000.0, 0.2871, -0.0),
        new StepOpened(0, double.PositiveInfinity, double.NaN, double.Epsilon),
        new SubmitOrder(12, "ev-3", Side.Buyer, 0.31, 7.5, 0.35),
        new SubmitOrder(12, "ev-Ω", Side.Seller, 1e-310, double.MaxValue, double.NegativeInfinity, [0.1f, -0f, float.NaN, float.Epsilon]),
        new OrderRefused(12, "too late: the step closed"),
        new FillProposed(12, 9001L, "ev-1", "ev-2", 0.3, 4.25),
        new FillAccepted(9001L, "ev-1"),
        new FillCommitted(12, long.MaxValue, "ev-1", "ev-2", 0.3, 4.25),
        new CommitAcknowledged(9001L, "ev-2"),
        new FillVoided(-1L, ""),
        new BeginStep(4),
        new Depart(int.MaxValue),
        new DepartureReport(4, "ev-1", 0.8, -12.5),
        new RecoverState("ev-1"),
        new StateRecovered("ev-1", 0.5, 3.25, [1L, 2L, long.MinValue]),
        new StateRecovered("ev-9", 0.0, 0.0, []),

        // V2V.Market.Protocol: the facility's lifecycle.
        new AgentLost(3, "ev-7", "dropout"),
        new EndRun(48),
        new RunEnded(48),
        new FaultReport(5, "ev-2", "crash \"mid-step\"\n"),

        // V2V.Market.Protocol: training.
        new StepScored(12, "ev-3", 0, 1.5, 0.5, 0.25, 0.5, 0.25, [0.5f, -1.25f, float.MaxValue]),
        new TransitionObserved([1f, 2f], 0.5f, null),
        new TransitionObserved([], float.NegativeInfinity, [3f], 12, 4, 7L, "ev-5"),
        new StepBoundary(3),
        new StepBoundaryPassed(3),

        // V2V.Learning.Actors.LearningProtocol.
        new TransitionBatch("learner-0", 7L, [new TransitionObserved([1f], 0.25f, [2f], 1, 0, 3L, "ev-1"), new TransitionObserved([4f], -1f, null)]),
        new TransitionBatch("learner-1", 0L, []),
        Flush.Instance,
        new StepFlush(3),
        new StepFlushed(3),
        EpisodeEnded.Instance,
        new EpisodeStarted(2),
        new Train(4),
        new PolicyPublished(3L, [0.125f, -0.5f, 1e-42f], 1000L, 50, 0.125),
    ];

    /// <summary>
    /// Types that cannot cross a node as they stand: they carry the in-process runtime's actor reference (directly or
    /// through a nested record), which has no wire form. They move to <see cref="Crossing"/> (with a real reference)
    /// when the reference becomes Akka's IActorRef or an id.
    /// </summary>
    public static IReadOnlyList<(IProtocolMessage Sample, string Field)> LocalOnly { get; } =
    [
        (new Admission("ev-1", null!, 0.4, 0.9, 20, false), "Admission.Ref"),
        (new Roster(3, [new Admission("ev-1", null!, 0.4, 0.9, 20, true)]), "Roster.Arrivals[].Ref"),
        (new RegisterLearner(null!), "RegisterLearner.Learner"),
        (new SubscribePolicy(null!), "SubscribePolicy.Subscriber"),
    ];
}
