using Akka.Actor;
using V2V.Coordinator.Actors;
using V2V.Coordinator.Ledger;

namespace V2V.Simulation.Cluster;

/// <summary>
/// A facility's end on the run's member when its coordinator runs on another (<see cref="FacilityEntity"/>): it writes
/// the ledger lines it receives, chunk after chunk, into the facility's ledger (flushed after each, as the coordinator
/// flushes each step), counts the steps closed into the facility's <see cref="RunMonitor"/> and completes it with the
/// outcome. A missing chunk, a line the ledger cannot read or a failure of the remote facility throws, which stops the
/// link and fails the run through the run's Guardian (the link is named by the facility's id). It also answers the
/// run's stall check for its coordinator (<see cref="MarketCoordinatorActor.DescribeWait"/>) by asking the facility.
/// </summary>
public sealed class FacilityLink : ReceiveActor
{
    private static readonly TimeSpan DescribeTimeout = TimeSpan.FromSeconds(2);

    private readonly string entity;
    private readonly ILedgerSink ledger;
    private readonly RunMonitor monitor;
    private long chunks;
    private string member = "";
    private int lines;

    public FacilityLink(string entity, ILedgerSink ledger, RunMonitor monitor, IActorRef region)
    {
        this.entity = entity;
        this.ledger = ledger;
        this.monitor = monitor;
        Receive<LedgerLines>(Write);
        Receive<FacilityStepsClosed>(s => monitor.StepClosed(s.Steps));
        Receive<FacilityEnded>(Ended);
        Receive<FacilityFailed>(f => throw new RemoteFacilityException(f.Cause));

        // The facility's shell is watched from its start: a member that dies takes the coordinator with it, and its
        // facility cannot resume elsewhere yet, so the run fails at once rather than wait for answers that never come.
        Receive<FacilityStarted>(s =>
        {
            member = s.Member;
            Context.Watch(Sender);
        });
        Receive<Terminated>(_ =>
        {
            if (!monitor.Outcome.IsCompleted)
            {
                throw new RemoteFacilityException($"its coordinator stopped with member {member} (the member left or was lost)");
            }
        });
        Receive<MarketCoordinatorActor.DescribeWait>(_ =>
        {
            // No answer on a timeout: the run's stall check then counts this coordinator as busy, as in one process.
            var asker = Sender;
            region.Ask<FacilityWaitDescribed>(FacilitySharding.Envelope(entity, new DescribeFacilityWait(entity)), DescribeTimeout).ContinueWith(
                t => asker.Tell(new MarketCoordinatorActor.WaitDescribed(t.Result.Step, t.Result.Phase, t.Result.Messages, t.Result.Awaiting)),
                TaskContinuationOptions.OnlyOnRanToCompletion);
        });
    }

    public static Props Props(string entity, ILedgerSink ledger, RunMonitor monitor, IActorRef region) =>
        Akka.Actor.Props.Create(() => new FacilityLink(entity, ledger, monitor, region));

    private void Write(LedgerLines chunk)
    {
        if (chunk.Chunk != chunks)
        {
            throw new InvalidOperationException($"{entity}: ledger chunk {chunk.Chunk} arrived where chunk {chunks} was due");
        }

        chunks++;
        foreach (var line in chunk.Lines)
        {
            ledger.Append(LedgerJson.Deserialize(line, ++lines));
        }

        ledger.Flush();
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
        }
        else
        {
            monitor.Finish((ended.Trace ?? throw new InvalidOperationException($"{entity}: finished without its trace")).ToTrace());
        }
    }
}

/// <summary>A facility on another member failed; <see cref="Exception.Message"/> is its cause, as that member reported it.</summary>
public sealed class RemoteFacilityException(string cause) : Exception(cause);
