using System.Threading.Channels;

namespace V2V.Actors.Internal;

/// <summary>
/// Wall-clock mailbox: two unbounded channels (system lane, user lane) drained by one thread-pool work item
/// at a time. <c>_scheduled</c> is the single-consumer guarantee: only the poster that flips it 0 -> 1 queues
/// a run, and a run re-checks both lanes after clearing it, so no message is stranded.
/// </summary>
internal sealed class ChannelMailbox : Mailbox, IThreadPoolWorkItem
{
    private static readonly UnboundedChannelOptions LaneOptions = new() { SingleReader = true, SingleWriter = false };

    private readonly Channel<SystemMessage> _system = Channel.CreateUnbounded<SystemMessage>(LaneOptions);
    private readonly Channel<Envelope> _user = Channel.CreateUnbounded<Envelope>(LaneOptions);
    private readonly int _throughput;
    private int _scheduled;

    public ChannelMailbox(ActorCell cell, int throughput)
        : base(cell)
    {
        _throughput = Math.Max(1, throughput);
    }

    public override void PostUser(Envelope envelope)
    {
        _user.Writer.TryWrite(envelope);
        Schedule();
    }

    public override void PostSystem(SystemMessage message)
    {
        _system.Writer.TryWrite(message);
        Schedule();
    }

    public override void CleanUp()
    {
        while (_user.Reader.TryRead(out var envelope))
        {
            Cell.DeadLetter(envelope);
        }
    }

    public void Execute()
    {
        int processed = 0;
        while (true)
        {
            while (_system.Reader.TryRead(out var sys))
            {
                Cell.InvokeSystem(sys);
            }

            if (Cell.IsTerminated)
            {
                CleanUp();
                break;
            }

            if (IsSuspended || processed >= _throughput || !_user.Reader.TryRead(out var envelope))
            {
                break;
            }

            Cell.InvokeUser(envelope);
            processed++;
        }

        Volatile.Write(ref _scheduled, 0);
        bool userReady = (!IsSuspended || Cell.IsTerminated) && _user.Reader.TryPeek(out _);
        if (userReady || _system.Reader.TryPeek(out _))
        {
            Schedule();
        }
    }

    private void Schedule()
    {
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }
}
