using V2V.Actors.TestKit;

namespace V2V.Actors.Tests;

public sealed class MailboxTests
{
    private sealed record Step(int N);

    private sealed record Handled(int N);

    private sealed record Work(int Sender, int Seq);

    private sealed record Report;

    private sealed record Stats(int Processed, int MaxConcurrent, int OrderViolations);

    /// <summary>On Step(1) it queues Step(2) and Step(3) to itself, then asks the system to stop it.</summary>
    private sealed class SelfStopper : ReceiveActor
    {
        public SelfStopper(IActorRef monitor) =>
            Receive<Step>(s =>
            {
                monitor.Tell(new Handled(s.N), Self);
                if (s.N == 1)
                {
                    Self.Tell(new Step(2));
                    Self.Tell(new Step(3));
                    Context.System.Stop(Self); // a system message, sent after the two user messages
                }
            });
    }

    /// <summary>Counts overlapping invocations and per-sender order violations.</summary>
    private sealed class Counter : ReceiveActor
    {
        private readonly Dictionary<int, int> _lastSeq = [];
        private int _inFlight;
        private int _maxConcurrent;
        private int _processed;
        private int _violations;

        public Counter()
        {
            Receive<Work>(w =>
            {
                int now = Interlocked.Increment(ref _inFlight);
                _maxConcurrent = Math.Max(_maxConcurrent, now);
                Thread.SpinWait(200); // widen the window in which a second thread would be caught
                if (_lastSeq.TryGetValue(w.Sender, out int last) && w.Seq != last + 1)
                {
                    _violations++;
                }

                _lastSeq[w.Sender] = w.Seq;
                _processed++;
                Interlocked.Decrement(ref _inFlight);
            });
            Receive<Report>(_ => Sender.Tell(new Stats(_processed, _maxConcurrent, _violations), Self));
        }
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void SystemLane_StopSentAfterUserMessages_IsProcessedFirst(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var probe = kit.CreateTestProbe();
        var letters = kit.CreateTestProbe();
        kit.Sys.EventStream.Subscribe(letters, typeof(DeadLetter));
        var actor = kit.ActorOf(Props.Create(() => new SelfStopper(probe)));
        probe.Watch(actor);

        actor.Tell(new Step(1), null);

        probe.ExpectMsg(new Handled(1));
        probe.ExpectTerminated(actor);
        Assert.Equal(new Step(2), letters.ExpectMsg<DeadLetter>().Message);
        Assert.Equal(new Step(3), letters.ExpectMsg<DeadLetter>().Message);
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void PoisonPill_InUserLane_EarlierMessagesProcessedLaterDead(DispatcherKind kind)
    {
        using var kit = new ActorTestKit(kind);
        var probe = kit.CreateTestProbe();
        var actor = kit.ActorOf(Props.Create(() => new SelfStopper(probe)));
        probe.Watch(actor);

        probe.Send(actor, new Step(5));
        probe.Send(actor, new Step(6));
        probe.Send(actor, PoisonPill.Instance);
        probe.Send(actor, new Step(7));

        probe.ExpectMsg(new Handled(5));
        probe.ExpectMsg(new Handled(6));
        probe.ExpectTerminated(actor);
        probe.ExpectNoMsg();
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Both), MemberType = typeof(Dispatchers))]
    public void Mailbox_ConcurrentSenders_OneMessageAtATimeAndFifoPerSender(DispatcherKind kind)
    {
        const int Senders = 4;
        const int PerSender = 500;
        using var kit = new ActorTestKit(kind);
        var probe = kit.CreateTestProbe();
        var counter = kit.ActorOf(Props.Create(() => new Counter()));

        // Four threads tell at once (the kernel's queue is thread-safe too); Parallel.For returns when all are sent.
        Parallel.For(0, Senders, new ParallelOptions { MaxDegreeOfParallelism = Senders }, sender =>
        {
            for (int i = 0; i < PerSender; i++)
            {
                counter.Tell(new Work(sender, i), null);
            }
        });

        probe.Send(counter, new Report()); // queued after every Work: the mailbox is one FIFO queue

        var stats = probe.ExpectMsg<Stats>();
        Assert.Equal(new Stats(Senders * PerSender, 1, 0), stats);
    }
}
