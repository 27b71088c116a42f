using Akka.Actor;
using V2V.Coordinator.Actors;
using V2V.Market.Protocol;

namespace V2V.Simulation.Cluster;

// The messages between a run of several facilities and its facilities sharded over the members with the market role
// (docs/cluster.md, "Facilities on a cluster"). Each facility is addressed as RUN/fNNN, which is also the run id its EVs
// are sharded under and its spec is kept under (RunSpec), so two facilities never share an EV entity.

/// <summary>
/// Run -> facility entity (through the facility shard region), the entity's first message: start the facility whose
/// spec this member keeps under <paramref name="Facility"/> (RUN/fNNN) and report to <paramref name="Link"/>, the
/// facility's link on the run's member (ledger lines, steps closed, the outcome). With <paramref name="EvsWithFacility"/>
/// the facility's EVs are its own children, on the same member, as in one process; else entities of the EV region.
/// Answered with <see cref="FacilityStarted"/>.
/// </summary>
public sealed record StartFacility(string Facility, IActorRef Link, bool EvsWithFacility) : IProtocolMessage;

/// <summary>Facility entity -> run: the facility is running on <paramref name="Member"/>.</summary>
public sealed record FacilityStarted(string Facility, string Member) : IProtocolMessage;

/// <summary>Run -> facility entity: stop at the end of the open step, as a one-process run does when interrupted.</summary>
public sealed record StopFacility(string Facility) : IProtocolMessage;

/// <summary>Run -> facility entity: the run is over; the entity stops.</summary>
public sealed record RetireFacility(string Facility) : IProtocolMessage;

/// <summary>
/// Facility -> its link: the ledger lines the coordinator wrote since its last flush (one flush per step), in order,
/// numbered from 0 so the link notices a missing chunk. Lines are the coordinator's own serialisation of each entry.
/// </summary>
public sealed record LedgerLines(string Facility, long Chunk, IReadOnlyList<string> Lines) : IProtocolMessage;

/// <summary>
/// Facility -> its link: <paramref name="Steps"/> steps are closed; <paramref name="Trace"/> is what this incarnation of
/// the coordinator counted up to that close (a facility resumed elsewhere carries it over, docs/cluster.md).
/// </summary>
public sealed record FacilityStepsClosed(string Facility, int Steps, FacilityTrace Trace) : IProtocolMessage;

/// <summary>
/// Facility -> its link, last: the run of the facility ended (<paramref name="Interrupted"/>: at a step boundary, asked
/// to), after <paramref name="Chunks"/> ledger chunks; the coordinator's trace, when it finished.
/// </summary>
public sealed record FacilityEnded(string Facility, long Chunks, bool Interrupted, FacilityTrace? Trace) : IProtocolMessage;

/// <summary>Facility -> its link: the facility failed at <paramref name="Step"/> (steps closed) with <paramref name="Cause"/>; it stopped.</summary>
public sealed record FacilityFailed(string Facility, long Chunks, int Step, string Cause) : IProtocolMessage;

/// <summary>Run (a facility's link) -> facility entity: what does the coordinator wait for (the run's stall check).</summary>
public sealed record DescribeFacilityWait(string Facility) : IProtocolMessage;

/// <summary>Facility entity -> the link: the coordinator's answer to <see cref="DescribeFacilityWait"/>.</summary>
public sealed record FacilityWaitDescribed(string Facility, int Step, string Phase, long Messages, IReadOnlyList<string> Awaiting) : IProtocolMessage;

/// <summary>
/// Run (a facility's link) -> facility entity, once the member that hosted the facility is gone: become the facility on
/// this member, its ledger chunks numbered on from <paramref name="Chunks"/>. With <paramref name="Steps"/> &gt; 0 the
/// link holds the records of steps 0 to Steps - 1, which the entity asks for (<see cref="FacilityRecordsWanted"/>) and
/// resumes from at step Steps; with 0 nothing was recorded and the facility starts afresh. Sent again until answered with <see cref="FacilityStarted"/>.
/// </summary>
// Version 2: the incarnation number is gone (every incarnation addresses its EVs under the same entity ids).
[ProtocolVersion(2)]
public sealed record ResumeFacility(string Facility, IActorRef Link, bool EvsWithFacility, long Chunks, int Steps)
    : IProtocolMessage;

/// <summary>Facility entity -> its link: the facility's ledger lines from line <paramref name="From"/> (0-based) on.</summary>
public sealed record FacilityRecordsWanted(string Facility, int From) : IProtocolMessage;

/// <summary>
/// Link -> facility entity: <paramref name="Lines"/> of the facility's ledger as the run's member holds it, from line
/// <paramref name="From"/>, of <paramref name="Total"/>; a batch stays well under the cluster's frame size.
/// </summary>
public sealed record FacilityRecords(string Facility, int From, int Total, IReadOnlyList<string> Lines) : IProtocolMessage;

/// <summary>
/// A facility (its <see cref="FacilityActor"/>) -> its link -> the run's node loss: the facility has reached the
/// scheduled loss of virtual node <paramref name="Node"/> of <paramref name="Nodes"/> and retired that node's EVs; it is
/// answered <see cref="V2V.Market.Protocol.NodeGone"/> once the member has left (<see cref="FacilityNodeLoss"/>).
/// </summary>
public sealed record FacilityAtNodeLoss(string Facility, int Node, int Nodes) : IProtocolMessage;

/// <summary>A coordinator's <see cref="SimulationTrace"/> on the wire (no scores: training does not run on a cluster).</summary>
public sealed record FacilityTrace(
    IReadOnlyList<double> StepOpenedMs,
    int StepsClosed,
    long CommitsResent,
    long OrdersRefused,
    long Messages,
    long MessagesDropped,
    long MessagesDuplicated,
    long MessagesDelayed,
    long DurationTicks,
    bool Finished)
{
    public static FacilityTrace Of(SimulationTrace t) => new(
        [.. t.StepOpenedMs], t.StepsClosed, t.CommitsResent, t.OrdersRefused, t.Messages, t.MessagesDropped, t.MessagesDuplicated, t.MessagesDelayed,
        t.Duration.Ticks, t.Finished);

    /// <summary>
    /// This trace, of the incarnations of a facility before the last, followed by <paramref name="later"/>'s: the counts
    /// add up; step openings, steps closed, duration and end are the later one's (a resumed coordinator restores the
    /// openings of the steps before it from the ledger).
    /// </summary>
    public FacilityTrace Then(FacilityTrace later) => later with
    {
        CommitsResent = CommitsResent + later.CommitsResent,
        OrdersRefused = OrdersRefused + later.OrdersRefused,
        Messages = Messages + later.Messages,
        MessagesDropped = MessagesDropped + later.MessagesDropped,
        MessagesDuplicated = MessagesDuplicated + later.MessagesDuplicated,
        MessagesDelayed = MessagesDelayed + later.MessagesDelayed,
    };

    public SimulationTrace ToTrace() => SimulationTrace.Restore(
        StepOpenedMs, StepsClosed, CommitsResent, OrdersRefused, Messages, MessagesDropped, MessagesDuplicated, MessagesDelayed,
        TimeSpan.FromTicks(DurationTicks), Finished);
}
