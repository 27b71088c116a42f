using V2V.Agents.Vehicles;
using V2V.Learning.Maddpg;
using V2V.Learning.Networks;
using V2V.Market.Configuration;
using V2V.Market.Orders;
using V2V.Market.Protocol;
using V2V.Simulation.Cluster;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Simulation.Tests.Serialization;

/// <summary>
/// A sample of every protocol message type (<see cref="ProtocolSerializerTests"/> fails while a type has none), with
/// values that stress the wire: -0, NaN, the infinities, subnormals, non-ASCII text, empty and null collections.
/// </summary>
internal static class ProtocolSamples
{
    /// <summary>One sample (or more) of every type that crosses a node and carries no actor reference.</summary>
    public static IReadOnlyList<IProtocolMessage> Crossing { get; } =
    [
        // V2V.Market.Protocol: the market step.
        new StepOpened(12, "ev-1", 1_800_000.0, 2_400_000.0, 0.2871, -0.0),
        new StepOpened(0, "ev-Ω", double.PositiveInfinity, double.NaN, double.Epsilon, 0, 1),
        new SubmitOrder(12, "ev-3", Side.Buyer, 0.31, 7.5, 0.35),
        new SubmitOrder(12, "ev-Ω", Side.Seller, 1e-310, double.MaxValue, double.NegativeInfinity, [0.1f, -0f, float.NaN, float.Epsilon]),
        new OrderAnswer(12, "ev-3", 1_800_120.5, new SubmitOrder(12, "ev-3", Side.Buyer, 0.31, 7.5, 0.35, [1f]), EvFault.DropoutAfterClearing),
        new OrderAnswer(12, "ev-4", -0.0, null, EvFault.None),
        new OrderRefused(12, "ev-3", "too late: the step closed"),
        new FillProposed(new Fill(12, 9001L, "ev-1", "ev-2", 0.3, 4.25), "ev-1", 1_800_000.25, 1),
        new FillAccepted(12, 9001L, "ev-1", double.MaxValue),
        new FillCommitted(new Fill(12, long.MaxValue, "ev-1", "ev-2", 0.3, 4.25), "ev-2", 3, 1.5),
        new CommitAnswer(12, 9001L, "ev-2", 3, 1.5, true),
        new FillVoided(12, -1L, "", ""),
        new RecoverState("ev-1"),
        new StateRecovered("ev-1", 0.5, 3.25, [1L, 2L, long.MinValue]),
        new StateRecovered("ev-9", 0.0, 0.0, []),

        // V2V.Market.Protocol: the facility's lifecycle.
        new BeginStep(4, ["ev-7", "ev-8"]),
        new BeginStep(5, []),
        new Depart(int.MaxValue, "ev-1"),
        new DepartureReport(4, "ev-1", 0.8, -12.5),
        new LeavingForGood("ev-7"),
        new Admission("ev-1", 0.4, 0.9, 20, false),
        new Roster(3, [new DepartureReport(3, "ev-0", 0.1, 0)], [new Admission("ev-1", 0.4, 0.9, 20, true)]),
        new AgentLost(3, "ev-7", "lost \"with node\"\n"),
        new EndRun(48, ["ev-2"]),
        new RunEnded(48, []),

        // V2V.Market.Protocol: training.
        new StepScored(12, "ev-3", 0, 1.5, 0.5, 0.25, 0.5, 0.25, [0.5f, -1.25f, float.MaxValue]),
        new ScoreTaken(12, "ev-3"),
        new TransitionObserved([1f, 2f], 0.5f, null),
        new TransitionObserved([], float.NegativeInfinity, [3f], 12, 4, 7L, "ev-5"),
        new StepBoundary(3),
        new StepBoundaryPassed(3),

        // V2V.Learning.Actors.LearningProtocol.
        new TransitionBatch("learner-0", 7L, [new TransitionObserved([1f], 0.25f, [2f], 1, 0, 3L, "ev-1"), new TransitionObserved([4f], -1f, null)]),
        new TransitionBatch("learner-1", 0L, []),
        Flush.Instance,
        Flushed.Instance,
        new StepFlush(3),
        new StepFlushed(3),
        EpisodeEnded.Instance,
        new EpisodeStarted(2),
        new Train(4),
        new PolicyPublished(3L, [0.125f, -0.5f, 1e-42f], 1000L, 50, 0.125),
        new PolicyApplied(3L),
        new TrainingDone(null),
        new TrainingDone(new PolicyPublished(4L, [], 0L, 0, double.NaN)),

        // V2V.Market.Protocol: EVs placed on other members.
        new EvStarted("ev-3"),
        new RetireEv("ev-3"),
        new EvLeft("ev-3"),
        new EvFailed("ev-Ω", "InvalidOperationException: a bug\twith a tab"),

        // V2V.Market.Protocol: a scheduled node loss.
        new LoseNode(12, 1, 3),
        new NodeGone(1),

        // V2V.Simulation.Cluster: a run over cluster members.
        new RunSpec("run-7", SampleMarket, SampleSimulation),
        new RunSpec("run-8", SampleMarket, SampleSimulation with { Faults = SampleSimulation.Faults with { NodeLoss = new(12, 1, 3, 100) } }),
        new RunSpecStored("run-7", "akka.tcp://v2v@127.0.0.1:4053", 100),
        new ForgetRun("run-7"),
        new HostPolicy("run-7", [12, 128, 128, 2], ["run-7/f000", "run-7/f001"]),

        // V2V.Simulation.Cluster: training on a cluster (the critic singleton and its episodes).
        new EndCriticEpisode("training-1"),
        new CriticEpisodeEnded("training-1", 12L, 40L, 1234L, 0.125),
        new CriticEpisodeEnded("training-1", 0L, 0L, 0L, -0.0),
        new FetchCriticModel("training-1", 1_048_576L),
        new CriticModelPart("training-1", 0L, 3L, [0, 255, 7]),
        new CriticModelPart("training-1", 3L, 3L, []),
        new RestoreCriticModel("training-1", 1_048_576L, 1_048_579L, [1, 2, 3]),
        new CriticModelTaken("training-1", 1_048_579L),
        new FinishCritic("training-1"),
        new TrainingRefused("the critic holds no training training-1"),
        new CriticFailed("training-1", "InvalidOperationException: replay store broke"),

        // V2V.Simulation.Cluster: facilities sharded over the market members.
        new FacilityStarted("run-7/f003", "akka.tcp://v2v@127.0.0.1:4053"),
        new StopFacility("run-7/f003"),
        new RetireFacility("run-7/f003"),
        new LedgerLines("run-7/f003", 4L, ["{\"kind\":\"step\",\"step\":3}", "", "naïve \t line"]),
        new FacilityStepsClosed("run-7/f003", 4, new FacilityTrace([0.0, -0.0], 4, 0L, 2L, 90L, 1L, 0L, 3L, 0L, false)),
        new FacilityRecordsWanted("run-7/f003", 0),
        new FacilityRecords("run-7/f003", 2, 5, ["{\"kind\":\"step\",\"step\":0}", "naïve \t line"]),
        new FacilityRecords("run-7/f003", 5, 5, []),
        new FacilityAtNodeLoss("run-7/f003", 1, 3),
        new FacilityEnded("run-7/f003", 16L, false, new FacilityTrace([0.0, 1_800_000.5, -0.0], 2, 3L, 1L, 400L, 5L, 6L, 7L, 123_456_789L, true)),
        new FacilityEnded("run-7/f003", 3L, true, null),
        new FacilityFailed("run-7/f003", 2L, 1, "InvalidOperationException: a bug"),
        new DescribeFacilityWait("run-7/f003"),
        new FacilityWaitDescribed("run-7/f003", 5, "Orders", 1234L, ["ev-1/order", "ev-2/accept"]),
    ];

    internal static MarketConfig SampleMarket => new(
        7,
        new TimeConfig(0.5, 16, 2),
        new PopulationConfig(20, 8, 2, 16),
        new VehicleConfig(60, 7.2, 0.95, 0.2, 0.8, 0.5, 0.9, 0.1, 1e-9),
        new TariffConfig(0.3, 0.05, [0.2, -0.0, 0.41]),
        new ValueConfig(1, 0.5, 0.25, 0.1, 0.02),
        new ClearingConfig("nash", 1e-6, 0.1, 1e-4, 50, 2.5),
        new PolicyConfig("markup", 0.2),
        new MetricsConfig(4));

    internal static SimulationConfig SampleSimulation => new(
        new ProtocolConfig(TimeSpan.FromMinutes(10), TimeSpan.FromTicks(1), TimeSpan.FromSeconds(30.5)),
        new LatencyConfig("lognormal", TimeSpan.Zero, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), 0.5, 0.3, 4),
        new FaultConfig(0.05, 0.03, 0.05, 0.05, 0.05, 0.05, TimeSpan.FromMinutes(5)));

    private static LearningConfig SampleLearning => new(
        100, [16, 16], [], 1e-4, 1e-3, 0.95, 0.01, 100_000, 32, 1, 64, 0.15, 0.2, 0.05, 3, 16, 6, 12, 100, new RewardConfig(50, 5, 0.5, -0.0))
    {
        Device = LearningDevice.Cuda,
    };

    /// <summary>Samples of the types that carry an Akka actor reference, made with <paramref name="reference"/>.</summary>
    public static IReadOnlyList<IProtocolMessage> WithReference(Akka.Actor.IActorRef reference) =>
    [
        new RegisterLearner(reference),
        new SubscribePolicy(reference),
        new StartEv("run-7", new Vehicle("ev-3", 2, 18, 0.35, 0.9, 0.125), true, reference),
        new ReattachEv("ev-3", 6, reference),
        new PolicyHosted("run-7", reference),
        new StartFacility("run-7/f003", reference, EvsWithFacility: true),
        new BeginCriticEpisode("training-1", 3, SampleLearning, 11, reference, Starts: true),
        new CriticEpisodeBegun("training-1", 3, reference),
        new HostTraining("training-1-e000003", [12, 16, 2], reference, 32, 11, 3, 0.125, 0.15),
        new TrainingHosted("training-1-e000003", reference, reference),
        new ResumeFacility("run-7/f003", reference, EvsWithFacility: false, Chunks: 17L, Steps: 16),
    ];
}
