using Akka.Actor;
using Akka.Event;
using V2V.Coordinator.Actors;
using V2V.Coordinator.Ledger;
using V2V.Market.Protocol;

namespace V2V.Simulation.Cluster;

/// <summary>
/// A facility's end on the run's member when its coordinator runs on another (<see cref="FacilityEntity"/>): it writes
/// the ledger lines it receives, chunk after chunk, into the facility's ledger (flushed after each, as the coordinator
/// flushes each step), counts the steps closed into the facility's <see cref="RunMonitor"/> and completes it with the
/// outcome. A missing chunk, a line the ledger cannot read or a failure of the remote facility throws, which stops the
/// link and fails the run through the run's Guardian (the link is named by the facility's id). It also answers the
/// run's stall check for its coordinator (<see cref="MarketCoordinatorActor.DescribeWait"/>) by asking the facility,
/// and passes a scheduled node loss on to the run's (<see cref="FacilityNodeLoss"/>). With sharded EVs it retires each EV
/// whose departure it has written (the facility only sets a leaving EV aside, <see cref="EvLeft"/>).
/// <para>
/// The facility's shell is watched. When it stops before the outcome (its member left or was lost), the facility is
/// started again through the shard region, which places it on a member still up (<see cref="ResumeFacility"/>, asked
/// again every second until it answers): it gets the records of the steps closed so far from here and resumes at the
/// first step not closed; whatever the lost member held of that step never reached this ledger (a chunk is a whole
/// step). Only the current incarnation's shell is listened to, so nothing a lost member still sends is written.
/// </para>
/// </summary>
public sealed class FacilityLink : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan DescribeTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ResumeRetry = TimeSpan.FromSeconds(1);

    // The lines of one FacilityRecords: about a megabyte, a quarter of the frame a cluster member accepts.
    private const long RecordsBatchBytes = 1 << 20;

    private readonly string entity;
    private readonly ILedgerSink ledger;
    private readonly RunMonitor monitor;
    private readonly IActorRef region;
    private readonly bool evsWithFacility;
    private readonly IActorRef? evs;
    private long chunks;
    private string member = "";
    private int lines;
    private int stepsClosed;
    private int linesAfterClose;
    private IActorRef shell = ActorRefs.Nobody;

    // What the coordinator counted: the incarnations before the current one (up to their last close), and the current
    // one's up to its last close.
    private FacilityTrace? carried;
    private FacilityTrace? current;
    private List<string>? records;

    public FacilityLink(string entity, ILedgerSink ledger, RunMonitor monitor, IActorRef region, bool evsWithFacility, IActorRef nodeLoss, IActorRef? evs)
    {
        this.evs = evs ?? (evsWithFacility ? null : Akka.Cluster.Sharding.ClusterSharding.Get(Context.System).ShardRegion(EvSharding.TypeName));
        this.entity = entity;
        this.ledger = ledger;
        this.monitor = monitor;
        this.region = region;
        this.evsWithFacility = evsWithFacility;
        Receive<LedgerLines>(_ => Sender.Equals(shell), Write);
        Receive<FacilityStepsClosed>(_ => Sender.Equals(shell), StepsClosed);
        Receive<FacilityEnded>(_ => Sender.Equals(shell), Ended);
        Receive<FacilityFailed>(_ => Sender.Equals(shell), Failed);
        Receive<FacilityStarted>(Started);
        Receive<Terminated>(t => t.ActorRef.Equals(shell) && !monitor.Outcome.IsCompleted, _ => Lost());
        Receive<Terminated>(_ => { });
        Receive<ResumeAgain>(_ => AskResume());
        Receive<FacilityRecordsWanted>(SendRecords);
        Receive<FacilityAtNodeLoss>(reached => nodeLoss.Forward(reached));
        Receive<MarketCoordinatorActor.DescribeWait>(_ =>
        {
            // No answer on a timeout: the run's stall check then counts this coordinator as busy, as in one process.
            var asker = Sender;
            region.Ask<FacilityWaitDescribed>(FacilitySharding.Envelope(entity, new DescribeFacilityWait(entity)), DescribeTimeout).ContinueWith(
                t => asker.Tell(new MarketCoordinatorActor.WaitDescribed(t.Result.Step, t.Result.Phase, t.Result.Messages, t.Result.Awaiting)),
                TaskContinuationOptions.OnlyOnRanToCompletion);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// The link of facility <paramref name="entity"/>. With sharded EVs, an EV that left is retired through the EV region
    /// (<paramref name="evs"/>, or this member's) once its departure is written here.
    /// </summary>
    public static Props Props(string entity, ILedgerSink ledger, RunMonitor monitor, IActorRef region, bool evsWithFacility, IActorRef nodeLoss, IActorRef? evs = null) =>
        Akka.Actor.Props.Create(() => new FacilityLink(entity, ledger, monitor, region, evsWithFacility, nodeLoss, evs));

    // The first answer of an incarnation's shell (a shell answers every repeated start or resume again).
    private void Started(FacilityStarted started)
    {
        if (!shell.IsNobody())
        {
            return;
        }

        shell = Sender;
        member = started.Member;
        Context.Watch(shell);
        Timers.Cancel(ResumeAgain.Instance);
    }

    private void Lost()
    {
        if (linesAfterClose > 0)
        {
            throw new RemoteFacilityException(
                $"its coordinator stopped with member {member} after its last records and before its outcome; the facility cannot resume");
        }

        Context.Unwatch(shell);
        shell = ActorRefs.Nobody;
        carried = carried is null ? current : current is null ? carried : carried.Then(current);
        current = null;
        records = null;
        Context.GetLogger().Warning(
            "{0}: its coordinator stopped with member {1}; resuming at step {2} on another member", entity, member, stepsClosed);
        AskResume();
        Timers.StartPeriodicTimer(ResumeAgain.Instance, ResumeAgain.Instance, ResumeRetry);
    }

    private void AskResume() => region.Tell(
        FacilitySharding.Envelope(entity, new ResumeFacility(entity, Self, evsWithFacility, chunks, stepsClosed)), Self);

    // The records of the steps closed, as the ledger holds them, read back once per incarnation and sent in batches.
    private void SendRecords(FacilityRecordsWanted wanted)
    {
        records ??= [.. ledger.ReadBack().Entries.Select(e => LedgerJson.Serialize(e.Entry))];
        var batch = new List<string>();
        var bytes = 0L;
        for (var i = wanted.From; i < records.Count && (batch.Count == 0 || bytes + records[i].Length <= RecordsBatchBytes); i++)
        {
            batch.Add(records[i]);
            bytes += records[i].Length;
        }

        Sender.Tell(new FacilityRecords(entity, wanted.From, records.Count, batch), Self);
    }

    private static void Failed(FacilityFailed failed) => throw new RemoteFacilityException(failed.Cause);

    private void StepsClosed(FacilityStepsClosed closed)
    {
        current = closed.Trace;
        monitor.StepClosed(closed.Steps);
    }

    private void Write(LedgerLines chunk)
    {
        if (chunk.Chunk != chunks)
        {
            throw new InvalidOperationException($"{entity}: ledger chunk {chunk.Chunk} arrived where chunk {chunks} was due");
        }

        chunks++;
        var departed = evs is null ? null : new List<string>();
        foreach (var line in chunk.Lines)
        {
            var entry = LedgerJson.Deserialize(line, ++lines);
            ledger.Append(entry);
            if (entry is AgentDeparted d)
            {
                departed?.Add(d.Agent);
            }

            (stepsClosed, linesAfterClose) = entry is StepClosed ? (stepsClosed + 1, 0) : (stepsClosed, linesAfterClose + 1);
        }

        ledger.Flush();

        // The EVs whose departure is now recorded (sharded EVs only): no incarnation of the facility can need them again.
        foreach (var agent in departed ?? [])
        {
            evs!.Tell(ShardedPlacement.EntityEnvelope(entity, new RetireEv(agent)), Self);
        }
    }

    private void Ended(FacilityEnded ended)
    {
        if (ended.Chunks != chunks)
        {
            throw new InvalidOperationException($"{entity}: ended after {ended.Chunks} ledger chunks, {chunks} arrived");
        }

        if (ended.Interrupted)
        {
            monitor.Interrupt();
            return;
        }

        var trace = ended.Trace ?? throw new InvalidOperationException($"{entity}: finished without its trace");
        monitor.Finish((carried is null ? trace : carried.Then(trace)).ToTrace());
    }

    private sealed class ResumeAgain : INoSerializationVerificationNeeded
    {
        public static ResumeAgain Instance { get; } = new();
    }
}

/// <summary>A facility on another member failed; <see cref="Exception.Message"/> is its cause, as that member reported it.</summary>
public sealed class RemoteFacilityException(string cause) : Exception(cause);
