using Akka.Actor;
using V2V.Coordinator.Actors;

namespace V2V.Simulation;

/// <summary>
/// The runner's stall check over the coordinators of a run. A barrier that waits for the same answers, with no message
/// in between, across two checks <c>interval</c> apart is stuck (every answer it waits for is a reply an actor sends at
/// once, with no wall-clock work in between): a lost answer would hang the run for ever, so the facility's run fails
/// loudly, naming what it waited for. A coordinator that does not answer in time (a long clearing keeps it busy) proves
/// nothing, and waiting for the training gate (which may train long between two messages) or for one of the
/// coordinator's own wall-clock timers (a window of a wall-clock run) is not a stall.
/// </summary>
internal sealed class StallWatch(IReadOnlyList<IActorRef> coordinators, IReadOnlyList<RunMonitor> monitors, IReadOnlyList<string> names, TimeSpan interval)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(2);

    private readonly System.Diagnostics.Stopwatch watch = System.Diagnostics.Stopwatch.StartNew();
    private readonly MarketCoordinatorActor.WaitDescribed?[] last = new MarketCoordinatorActor.WaitDescribed?[coordinators.Count];

    /// <summary>Asks every coordinator still running what it waits for, at most once per interval, all at once.</summary>
    public void Check()
    {
        if (watch.Elapsed <= interval)
        {
            return;
        }

        watch.Restart();
        var asks = new Task<MarketCoordinatorActor.WaitDescribed>?[coordinators.Count];
        for (var i = 0; i < asks.Length; i++)
        {
            if (!monitors[i].Outcome.IsCompleted)
            {
                asks[i] = coordinators[i].Ask<MarketCoordinatorActor.WaitDescribed>(MarketCoordinatorActor.DescribeWait.Instance, AskTimeout);
            }
        }

        for (var i = 0; i < asks.Length; i++)
        {
            if (asks[i] is not { } ask)
            {
                continue;
            }

            MarketCoordinatorActor.WaitDescribed now;
            try
            {
                now = ask.GetAwaiter().GetResult();
            }
            catch (AskTimeoutException)
            {
                last[i] = null;
                continue;
            }

            if (last[i] is { } before && now.Phase != "Gate" && !now.WaitsForClock && now.Messages == before.Messages && now.Step == before.Step && now.Phase == before.Phase)
            {
                monitors[i].Fail(new SimulationFailedException(monitors[i].StepsClosed, names[i], new InvalidOperationException(
                    $"stalled in step {now.Step}, phase {now.Phase}: no answer from {string.Join(", ", now.Awaiting.Take(10))}")));
            }

            last[i] = now;
        }
    }
}
