using V2V.Market.Network;

namespace V2V.Market.Configuration;

/// <summary>
/// DESIGN "One market step": timing of a step in simulated time. Orders are taken for <paramref name="BidWindow"/>
/// after a step opens; fills must be accepted within <paramref name="SettlementWindow"/> after clearing; commits
/// are resent every <paramref name="CommitRetryInterval"/> until the party acknowledges them.
/// </summary>
public sealed record ProtocolConfig(TimeSpan BidWindow, TimeSpan SettlementWindow, TimeSpan CommitRetryInterval);

/// <summary>
/// Latency of market messages between an EV and the coordinator (both ways). <paramref name="Model"/> is one of
/// none, constant, uniform, lognormal; a <paramref name="SlowFraction"/> of agents (chosen by seed) see their
/// latency multiplied by <paramref name="SlowFactor"/>.
/// </summary>
public sealed record LatencyConfig(
    string Model,
    TimeSpan Constant,
    TimeSpan UniformMin,
    TimeSpan UniformMax,
    TimeSpan LognormalMedian,
    double LognormalSigma,
    double SlowFraction,
    double SlowFactor);

/// <summary>
/// Seeded faults (DESIGN "Faults"). Probabilities per agent per step (crash, dropout), per agent on arrival
/// (silent), and per market message (drop, duplicate, delay by up to <paramref name="MessageDelayMax"/>);
/// <paramref name="NodeLoss"/>, when set, a node lost at a step boundary (V2V.Market.Faults.NodeLoss).
/// The coordinator restarts are drawn per step boundary (<see cref="CoordinatorRestartProbability"/>) or listed
/// (<see cref="CoordinatorRestartSteps"/>): see <see cref="Faults.CoordinatorRestartPlan"/>.
/// </summary>
public sealed record FaultConfig(
    double CrashProbability,
    double DropoutProbability,
    double SilentProbability,
    double MessageDropProbability,
    double MessageDuplicateProbability,
    double MessageDelayProbability,
    TimeSpan MessageDelayMax,
    Faults.NodeLoss? NodeLoss = null)
{
    public double CoordinatorRestartProbability { get; init; }

    public IReadOnlyList<int> CoordinatorRestartSteps { get; init; } = [];

    /// <summary>The key under <c>v2v.simulation.faults</c> that plans coordinator restarts, or null when none is planned.</summary>
    public string? CoordinatorRestartKey =>
        CoordinatorRestartProbability > 0 ? "coordinator-restart" : CoordinatorRestartSteps.Count > 0 ? "coordinator-restart-steps" : null;

    public bool Any => CrashProbability > 0 || DropoutProbability > 0 || SilentProbability > 0
        || MessageDropProbability > 0 || MessageDuplicateProbability > 0 || MessageDelayProbability > 0;
}

/// <summary>
/// How the actor simulation runs, on top of the market model. <paramref name="Clock"/> is null in simulated time (the
/// default, reproducible), set for wall-clock mode (`v2v run --clock wall`).
/// </summary>
public sealed record SimulationConfig(ProtocolConfig Protocol, LatencyConfig Latency, FaultConfig Faults, WallClock? Clock = null);
