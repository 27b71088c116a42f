using Akka.Actor;
using Akka.Cluster.Sharding;
using V2V.Coordinator.Actors;
using V2V.Coordinator.Ledger;

namespace V2V.Simulation.Cluster;

/// <summary>
/// A facility of a run as a cluster-sharded entity on a member with the market role: a shell made empty by its shard
/// region that becomes the facility on its first message, <see cref="StartFacility"/>, or, on another member after the
/// one it ran on was lost, <see cref="ResumeFacility"/>: then it first gathers the records of the steps closed so far
/// from the link and its coordinator resumes from them (docs/cluster.md, "A facility whose member is lost"). Its child
/// is the very coordinator of one process (which starts the facility, whose EVs are entities of the EV region under the
/// run id RUN/fNNN, or its own children when the run keeps EVs with their facility), made
/// from the facility's spec this member keeps (<see cref="RunRegistry"/>). The ledger stays on the run's member: the
/// coordinator writes into a <see cref="StreamedLedger"/>, which sends each step's lines to the facility's link there;
/// steps closed and the outcome go the same way, all through this shell, so the link receives them in the order they
/// happened. The coordinator is never restarted: any exception stops it and is reported to the link, which fails the
/// run, as the run's Guardian does in one process; a scheduled node loss goes through the run's member
/// (<see cref="FacilityPlacement"/>).
/// </summary>
public sealed class FacilityEntity : ReceiveActor
{
    private static readonly TimeSpan DescribeTimeout = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource stop = new();
    private readonly SupervisorStrategy strategy;
    private string facility = "";
    private string member = "";
    private IActorRef link = ActorRefs.Nobody;
    private IActorRef coordinator = ActorRefs.Nobody;
    private IActorRef asker = ActorRefs.Nobody;
    private RunMonitor? monitor;
    private StreamedLedger? ledger;

    public FacilityEntity()
    {
        strategy = new OneForOneStrategy(Fail);
        Receive<StartFacility>(Start);
        Receive<ResumeFacility>(Resume);

        // The run sends nothing else before the start but a stop asked for while a facility resumes (it then stops at
        // the end of its first step); a stray question gets no answer (the asker times out).
        ReceiveStopAndRetire();
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new FacilityEntity());

    protected override SupervisorStrategy SupervisorStrategy() => strategy;

    protected override void PostStop() => stop.Dispose();

    // In every state: a stop ends the coordinator at its step's end (before the start, at the end of its first step); a
    // retirement passivates the shell.
    private void ReceiveStopAndRetire()
    {
        Receive<StopFacility>(_ => stop.Cancel());
        Receive<RetireFacility>(_ => Context.Parent.Tell(new Passivate(PoisonPill.Instance), Self));
    }

    private void Start(StartFacility start)
    {
        asker = Sender;
        Begin(start.Facility, start.Link, start.EvsWithFacility, firstChunk: 0, records: null);
    }

    // The member that hosted the facility is gone: with steps closed, gather their records from the link first.
    private void Resume(ResumeFacility resume)
    {
        if (resume.Steps == 0)
        {
            Begin(resume.Facility, resume.Link, resume.EvsWithFacility, resume.Chunks, records: null);
            return;
        }

        var gathered = new List<string>();
        resume.Link.Tell(new FacilityRecordsWanted(resume.Facility, 0), Self);
        Become(() =>
        {
            Receive<FacilityRecords>(r => r.From == gathered.Count, r =>
            {
                gathered.AddRange(r.Lines);
                if (gathered.Count < r.Total && r.Lines.Count > 0)
                {
                    resume.Link.Tell(new FacilityRecordsWanted(resume.Facility, gathered.Count), Self);
                    return;
                }

                var bytes = gathered.Sum(l => (long)System.Text.Encoding.UTF8.GetByteCount(l) + 1);
                var records = LedgerFile.Parse(gathered, lastLineComplete: true, bytes);
                Begin(resume.Facility, resume.Link, resume.EvsWithFacility, resume.Chunks, records);
            });

            // The link asks again until the facility has started: ask again from where the records stand (an answer
            // that comes twice is taken once, by its first line).
            Receive<ResumeFacility>(_ => resume.Link.Tell(new FacilityRecordsWanted(resume.Facility, gathered.Count), Self));
            ReceiveStopAndRetire();
        });
    }

    private void Begin(string id, IActorRef runLink, bool evsWithFacility, long firstChunk, LedgerFile? records)
    {
        facility = id;
        link = runLink;
        member = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();
        var run = RunRegistry.For(Context.System).Find(facility);
        if (run is null)
        {
            link.Tell(new FacilityFailed(facility, firstChunk, 0, $"member {member} was never told of facility {facility}"), Self);
            return;
        }

        var self = Self;
        ledger = new StreamedLedger(facility, self, firstChunk);
        monitor = new RunMonitor(stop.Token, steps => self.Tell(new FacilityStepsClosed(facility, steps, FacilityTrace.Of(monitor!.Trace))));
        monitor.Outcome.ContinueWith(o => self.Tell(new Outcome(o)), TaskScheduler.Default);

        // Every incarnation places its EVs under the same entity ids (RUN/fNNN/EV): a resumed one takes over those of
        // the lost one that are still up (EvEntity), and its own starts replace those the lost one began.
        var evs = ClusterSharding.Get(Context.System).ShardRegion(EvSharding.TypeName);
        var placement = new FacilityPlacement(evsWithFacility ? LocalPlacement.Instance : new ShardedPlacement(evs, facility, untilRecorded: true), link, facility);
        var (props, _) = SimulationRunner.Market(
            run.Spec.Market, run.Spec.Simulation, ledger, run.PolicyFor, learner: null, clearing: null, monitor,
            placement: placement, runId: evsWithFacility ? null : facility, resumeFrom: records);
        coordinator = Context.ActorOf(props, SimulationRunner.Coordinator);
        var started = new FacilityStarted(facility, member);
        if (!asker.IsNobody() && !asker.Equals(link))
        {
            asker.Tell(started, Self);
        }

        link.Tell(started, Self);
        Become(Running);
    }

    private void Running()
    {
        Receive<LedgerLines>(l => link.Tell(l, Self));
        Receive<FacilityStepsClosed>(s => link.Tell(s, Self));
        Receive<Outcome>(o => link.Tell(Ended(o.Task), Self));
        ReceiveStopAndRetire();
        Receive<StartFacility>(_ => Sender.Tell(new FacilityStarted(facility, member), Self));
        Receive<ResumeFacility>(_ => link.Tell(new FacilityStarted(facility, member), Self));
        Receive<DescribeFacilityWait>(_ =>
        {
            var asker = Sender;
            coordinator.Ask<MarketCoordinatorActor.WaitDescribed>(MarketCoordinatorActor.DescribeWait.Instance, DescribeTimeout).ContinueWith(
                t => asker.Tell(new FacilityWaitDescribed(facility, t.Result.Step, t.Result.Phase, t.Result.Messages, t.Result.Awaiting)),
                TaskContinuationOptions.OnlyOnRanToCompletion);
        });
    }

    // The lines the coordinator appended since its last flush are sent first: the link's ledger then holds what a
    // one-process ledger holds when its run fails.
    private Directive Fail(Exception cause)
    {
        ledger?.Flush();
        monitor?.Fail(new SimulationFailedException(monitor.StepsClosed, "facility " + facility, cause));
        return Directive.Stop;
    }

    private object Ended(Task<SimulationTrace> outcome)
    {
        var chunks = ledger!.Chunks;
        if (outcome.IsCanceled)
        {
            return new FacilityEnded(facility, chunks, Interrupted: true, Trace: null);
        }

        if (outcome.Exception?.InnerException is { } e)
        {
            var cause = e is SimulationFailedException f ? f.Cause : $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";
            return new FacilityFailed(facility, chunks, monitor!.StepsClosed, cause);
        }

        return new FacilityEnded(facility, chunks, Interrupted: false, FacilityTrace.Of(outcome.Result));
    }

    private sealed record Outcome(Task<SimulationTrace> Task) : INoSerializationVerificationNeeded;
}

/// <summary>
/// The ledger of a coordinator on another member than its run: each entry is serialised here, as the run's ledger file
/// would write it, and every flush (once per step) sends the lines since the last one to <paramref name="shell"/>, which
/// passes them on to the run's member. Used by the coordinator's thread alone.
/// </summary>
internal sealed class StreamedLedger(string facility, IActorRef shell, long firstChunk) : ILedgerSink
{
    private readonly List<string> lines = [];

    /// <summary>Chunks sent so far, those of the facility's earlier incarnations included (numbered on from <paramref name="firstChunk"/>).</summary>
    public long Chunks { get; private set; } = firstChunk;

    public void Append(LedgerEntry entry) => lines.Add(LedgerJson.Serialize(entry));

    public void Flush()
    {
        if (lines.Count == 0)
        {
            return;
        }

        shell.Tell(new LedgerLines(facility, Chunks++, [.. lines]));
        lines.Clear();
    }

    // The lines live in the run's file on another member; a run of facilities on a cluster plans no coordinator restart.
    public LedgerFile ReadBack() =>
        throw new InvalidOperationException($"facility {facility}: a coordinator on a cluster member cannot read its ledger back (coordinator restarts are refused for facilities on a cluster)");
}
