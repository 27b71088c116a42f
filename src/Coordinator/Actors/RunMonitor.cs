namespace V2V.Coordinator.Actors;

/// <summary>
/// The one object a run shares between its coordinator and the code outside the actor system that started it: how
/// many steps are closed (for progress and for naming the step of a failure), whether the caller asked the run to stop
/// at the next step boundary, and the run's outcome. It holds no market state; every member is thread-safe.
/// <paramref name="stepClosed"/>, when given, is called on the coordinator's thread with the number of steps closed
/// each time a step closes (a runner's wall-clock timing of its steps).
/// </summary>
public sealed class RunMonitor(CancellationToken stop, Action<int>? stepClosed = null)
{
    private readonly TaskCompletionSource<SimulationTrace> outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int stepsClosed;

    public int StepsClosed => Volatile.Read(ref stepsClosed);

    /// <summary>
    /// What the coordinator observed beyond the ledger (message counts, step openings, restarts). It lives here, not in
    /// the coordinator, so that a coordinator restarted in place goes on counting; it is written by the coordinator
    /// alone and read by the caller once the run is over.
    /// </summary>
    public SimulationTrace Trace { get; } = new();

    public bool StopRequested => stop.IsCancellationRequested;

    /// <summary>Completes with the trace when the run ends, or fails with the reason it stopped.</summary>
    public Task<SimulationTrace> Outcome => outcome.Task;

    public void StepClosed(int steps)
    {
        Volatile.Write(ref stepsClosed, steps);
        stepClosed?.Invoke(steps);
    }

    public void Finish(SimulationTrace trace) => outcome.TrySetResult(trace);

    public void Fail(Exception reason) => outcome.TrySetException(reason);

    /// <summary>The run stopped at a step boundary because <see cref="StopRequested"/>: the outcome is cancelled.</summary>
    public void Interrupt() => outcome.TrySetCanceled();
}
