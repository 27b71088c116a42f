using Akka.Actor;
using Akka.TestKit.Xunit2;
using V2V.Agents.Actors;
using V2V.Agents.Policies;
using V2V.Agents.Vehicles;
using V2V.Coordinator.Actors;
using V2V.Coordinator.Ledger;
using V2V.Coordinator.Session;
using V2V.Market.Faults;
using V2V.Market.Orders;
using V2V.Market.Protocol;
using V2V.Market.Training;
using V2V.Market.Vehicles;
using V2V.Simulation;
using V2V.Simulation.Network;

namespace V2V.Host.Tests.Run;

/// <summary>
/// An internal failure stops the run loudly: the runner throws a failure naming the open step and the cause, and the
/// ledger shows no restarted market (one run header, step numbers never going back, no EV arriving twice).
/// </summary>
public sealed class SimulationFailureTests
{
    private static readonly string[] Small = ["v2v.seed=5", "v2v.population.agents=12", "v2v.time.days=1", "v2v.clearing.mechanism=greedy-average"];

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void SimulationRunner_ClearingThrowsAtStepK_ThrowsFailureNamingStepKAndNoStepRestarts(int k)
    {
        var (market, simulation) = FailureInjection.Config(Small);
        var ledger = new MemoryLedger();
        var clearing = ThrowingClearing.For(market, k);

        var failure = Assert.Throws<SimulationFailedException>(() => SimulationRunner.Run(market, simulation, ledger, clearing: clearing));

        Assert.Equal(k, failure.Step);
        Assert.Equal("the market", failure.Failed);
        Assert.IsType<InjectedFailureException>(failure.InnerException);
        Assert.Equal($"the market failed at step {k}: InjectedFailureException: injected at step {k}", failure.Message);
        Assert.Equal(k + 1, clearing.Calls);
        FailureInjection.AssertNotRestarted(ledger.Entries, closedSteps: k);
    }

    [Fact]
    public void SimulationRunner_EvThrowsAnUnplannedException_StopsTheRunInsteadOfDroppingTheEv()
    {
        var (market, simulation) = FailureInjection.Config(Small);
        var ledger = new MemoryLedger();
        var decisions = new ThrowingPolicy.Counter(failAt: 40);

        var failure = Assert.Throws<SimulationFailedException>(
            () => SimulationRunner.Run(market, simulation, ledger, policyFor: _ => new ThrowingPolicy(decisions)));

        Assert.IsType<InjectedFailureException>(failure.InnerException);
        // The 40th decision throws; EVs deciding on other threads in the same step may still decide before the run stops.
        Assert.InRange(decisions.Decisions, 40, 40 + 12);
        Assert.True(failure.Step > 0, $"12 EVs make at most 12 decisions a step, so the 40th comes after step 0; failed at {failure.Step}");
        Assert.DoesNotContain(ledger.Entries, e => e is AgentDeparted { Reason: "lost" });
        FailureInjection.AssertNotRestarted(ledger.Entries, closedSteps: failure.Step);
    }

    [Fact]
    public void SimulationRunner_PlannedEvCrashes_AreRestartedAndTheRunCompletes()
    {
        var (market, simulation) = FailureInjection.Config([.. Small, "v2v.time.days=2", "v2v.simulation.faults.crash=0.15"]);
        var ledger = new MemoryLedger();

        var result = SimulationRunner.Run(market, simulation, ledger);

        Assert.Contains(ledger.Entries, e => e is FaultInjected { Fault: "crash" });
        Assert.True(result.Trace.Finished);
        FailureInjection.AssertNotRestarted(ledger.Entries, closedSteps: market.Time.TotalSteps);
    }

    [Fact]
    public void MarketCoordinator_RestartedByADefaultGuardian_StopsInsteadOfOpeningStepZeroAgain()
    {
        // Akka's default guardian restarts a failed top-level actor; the coordinator must still not restart the market.
        const int K = 5;
        var (market, simulation) = FailureInjection.Config(Small);
        var ledger = new MemoryLedger();
        using var kit = new TestKit();
        var monitor = new RunMonitor(CancellationToken.None);
        var faults = new FaultPlan(simulation.Faults, market.Seed);
        var facility = FacilityActor.Props(() => new EvArrivalSource(market, faults, Policies.For(market.Policy)), new EvSupervision());
        var network = new SimulatedNetwork(simulation.Latency, simulation.Faults, market.Seed);
        var clearing = ThrowingClearing.For(market, K);
        var coordinator = kit.Sys.ActorOf(MarketCoordinatorActor.Props(
            new CoordinatorPlan(market, simulation.Protocol, network, () => clearing, ledger, facility, monitor)), "market");
        var probe = kit.CreateTestProbe();
        probe.Watch(coordinator);

        probe.ExpectTerminated(coordinator, TimeSpan.FromSeconds(30));

        Assert.False(monitor.Outcome.IsCompleted);
        Assert.Equal(K, monitor.StepsClosed);
        FailureInjection.AssertNotRestarted(ledger.Entries, closedSteps: K);
    }

    [Fact]
    public void SimulationRunner_TrainingGateThrowsAtStepK_ThrowsFailureNamingTheGateAndStepK()
    {
        // The learner and the critic (the market's training gate) are top-level actors beside the coordinator: a
        // failure there must stop the run too, not restart an actor that the coordinator then waits on for ever.
        const int K = 6;
        var (market, simulation) = FailureInjection.Config(Small);
        var ledger = new MemoryLedger();

        var failure = Assert.Throws<SimulationFailedException>(() => SimulationRunner.Run(market, simulation, ledger, training: spawn =>
        {
            var gate = spawn(Props.Create(() => new ThrowingGate(K)), "critic");
            return new TrainingWiring(() => NoScores.Instance, gate, ActorRefs.Nobody, _ => TruthfulPolicy.Instance, () => Task.CompletedTask);
        }));

        Assert.Equal(K, failure.Step);
        Assert.Equal("the critic", failure.Failed);
        Assert.IsType<InjectedFailureException>(failure.InnerException);
        FailureInjection.AssertNotRestarted(ledger.Entries, closedSteps: K);
    }

    [Fact]
    public void SimulationRunner_CancelledDuringStepJ_StopsAfterStepJClosesWithThePrefixOfAnUndisturbedLedger()
    {
        const int J = 4;
        var (market, simulation) = FailureInjection.Config([.. Small, "v2v.simulation.latency.model=lognormal", "v2v.simulation.faults.crash=0.1"]);
        var full = new MemoryLedger();
        SimulationRunner.Run(market, simulation, full);
        var ledger = new MemoryLedger();
        using var stop = new CancellationTokenSource();

        // Cancelled while step J is open (the policy runs as its orders are priced); the runner looks at step ends.
        var interrupted = Assert.Throws<SimulationInterruptedException>(() => SimulationRunner.Run(
            market, simulation, ledger, policyFor: _ => new CancelAtStep(stop, ledger, J), cancellation: stop.Token));

        Assert.Equal(J + 1, interrupted.Step);
        Assert.Equal(J, Assert.IsType<StepClosed>(ledger.Entries[^1]).Step);
        var prefix = full.Entries.FindIndex(e => e is StepClosed { Step: J }) + 1;
        Assert.Equal(full.Entries.Take(prefix).Select(LedgerJson.Serialize), ledger.Entries.Select(LedgerJson.Serialize));
    }

    [Fact]
    public void SimulationRunner_AnEvNeverAnswers_FailsNamingTheStalledBarrierInsteadOfHanging()
    {
        // A policy stuck in user code: the first EV to price an order never answers, so the orders barrier cannot end.
        var (market, simulation) = FailureInjection.Config(Small);
        var ledger = new MemoryLedger();
        using var release = new ManualResetEventSlim();
        var stuck = new FirstDecisionHangs(release);

        var failure = Assert.Throws<SimulationFailedException>(() => SimulationRunner.Run(
            market, simulation, ledger, policyFor: stuck.For, stallCheck: TimeSpan.FromMilliseconds(500)));
        release.Set();

        Assert.Equal(0, failure.Step);
        Assert.Equal(
            $"the market failed at step 0: InvalidOperationException: stalled in step 0, phase Orders: no answer from {stuck.Agent}/0",
            failure.Message);
    }

    /// <summary>Truthful, except that the first decision of the run, by whichever EV, blocks until released.</summary>
    private sealed class FirstDecisionHangs(ManualResetEventSlim release)
    {
        private readonly ManualResetEventSlim release = release;
        private string? agent;

        public string? Agent => Volatile.Read(ref agent);

        public IBiddingPolicy For(Vehicle vehicle) => new Policy(this, vehicle.Id);

        private sealed class Policy(FirstDecisionHangs owner, string id) : IBiddingPolicy
        {
            public Quote Decide(in BiddingContext context)
            {
                if (Interlocked.CompareExchange(ref owner.agent, id, null) is null)
                {
                    owner.release.Wait();
                }

                return TruthfulPolicy.Instance.Decide(context);
            }
        }
    }

    /// <summary>Truthful, and cancels the run the first time it prices an order while the ledger is in step <c>step</c>.</summary>
    private sealed class CancelAtStep(CancellationTokenSource stop, MemoryLedger ledger, int step) : IBiddingPolicy
    {
        public Quote Decide(in BiddingContext context)
        {
            if (ledger.Entries[^1].Step == step)
            {
                stop.Cancel();
            }

            return TruthfulPolicy.Instance.Decide(context);
        }
    }

    /// <summary>Lets every step begin until <c>failAt</c>, where it throws.</summary>
    private sealed class ThrowingGate : ReceiveActor
    {
        public ThrowingGate(int failAt) =>
            Receive<StepBoundary>(b => Sender.Tell(
                b.Step == failAt ? throw new InjectedFailureException($"gate injected at step {b.Step}") : new StepBoundaryPassed(b.Step), Self));
    }

    private sealed class NoScores : IStepScorer
    {
        public static readonly NoScores Instance = new();

        public ScoreTotals Totals => ScoreTotals.None;

        public IReadOnlyList<StepScored> Score(int step, IReadOnlyList<SubmitOrder> book, IReadOnlyList<Trade> committed, double gridPriceAudPerKwh) => [];
    }
}
