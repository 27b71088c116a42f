namespace V2V.Market.Protocol;

// DESIGN steps 4 and 6 when training on the simulation's own actors: the coordinator scores each order of a settled
// step (it alone holds the book), each EV turns its scores into transitions for its node's learner actor, and the
// coordinator opens a step only after the training side has passed the step boundary (trained and published).

/// <summary>
/// Coordinator -> EV, when training: SPEC 7's reward terms for the EV's order of <paramref name="Step"/> (computed on
/// the step's committed trades; <paramref name="Total"/> = base + credit + price + ir) and its critic input
/// (own observation and action, then the pooled context of the other orders). <paramref name="BookIndex"/> is the
/// order's position in the step's book, so the critic can store a step's transitions in book order whatever order
/// they arrive in.
/// </summary>
public sealed record StepScored(
    int Step,
    string Agent,
    int BookIndex,
    double Total,
    double Base,
    double Credit,
    double PriceTerm,
    double IrTerm,
    float[] CriticInput) : IWithAgentId;

/// <summary>
/// EV -> its node's learner: one transition in the critic's input layout; a null <paramref name="NextInput"/> marks a
/// terminal one. (<paramref name="Step"/>, <paramref name="BookIndex"/>) is where its state was scored (-1 when the
/// sender keeps no book); <paramref name="PolicyVersion"/> is the policy version the action was taken with, and
/// <paramref name="Agent"/> the EV that took it (diagnostics; null when unknown).
/// </summary>
public sealed record TransitionObserved(
    float[] Input,
    float Reward,
    float[]? NextInput,
    int Step = -1,
    int BookIndex = -1,
    long PolicyVersion = -1,
    string? Agent = null) : IProtocolMessage;

/// <summary>EV -> coordinator: my score of <paramref name="Step"/> is taken, its transitions are on their way to my learner.</summary>
public sealed record ScoreTaken(int Step, string Agent) : IWithAgentId;

/// <summary>
/// Coordinator -> training gate: step <paramref name="Step"/> is about to begin (<paramref name="Step"/> = the run's
/// step count before the run ends). The gate answers <see cref="StepBoundaryPassed"/> once the previous step's
/// training is done and its policy version is out.
/// </summary>
public sealed record StepBoundary(int Step) : IProtocolMessage;

/// <summary>Training gate -> coordinator: step <paramref name="Step"/> may begin.</summary>
public sealed record StepBoundaryPassed(int Step) : IProtocolMessage;
