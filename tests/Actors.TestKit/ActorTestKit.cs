using V2V.Actors.Dispatch;

namespace V2V.Actors.TestKit;

/// <summary>
/// One actor system per test, on either dispatcher, with probe creation, virtual-time control and a way to
/// await Ask tasks without sleeping. Dispose terminates the system. Use as a field or a base class.
/// </summary>
public class ActorTestKit : IDisposable
{
    private static readonly TimeSpan WallTerminateTimeout = TimeSpan.FromSeconds(5);
    private bool _disposed;

    public ActorTestKit(DispatcherKind dispatcher = DispatcherKind.VirtualTime, ActorSystemOptions? options = null, string systemName = "test")
        : this(ActorSystem.Create(systemName, (options ?? new ActorSystemOptions()) with { Dispatcher = dispatcher }))
    {
    }

    public ActorTestKit(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        Sys = system;
        DefaultTimeout = system.IsVirtualTime ? TestProbe.DefaultVirtualTimeout : TestProbe.DefaultWallTimeout;
    }

    public ActorSystem Sys { get; }

    public bool IsVirtualTime => Sys.IsVirtualTime;

    public TimeSpan DefaultTimeout { get; set; }

    /// <summary>The kernel (virtual time only).</summary>
    public VirtualTimeKernel Kernel => Sys.Kernel;

    public TestProbe CreateTestProbe(string? name = null) => new(Sys, name, DefaultTimeout);

    public IActorRef ActorOf(Props props, string? name = null) => Sys.ActorOf(props, name);

    /// <summary>Virtual time only: runs every event due within <paramref name="delta"/>, then moves the clock by it.</summary>
    public void Advance(TimeSpan delta) => VirtualTime.Advance(Sys, delta);

    /// <summary>Virtual time only: runs until no event is left.</summary>
    public void RunUntilIdle() => VirtualTime.RunUntilIdle(Sys);

    /// <summary>
    /// The task's result (or its exception, e.g. AskTimeoutException). In virtual time the kernel is driven
    /// until the task completes; in wall time the thread blocks up to the timeout. Fails if it never completes.
    /// </summary>
    public T Await<T>(Task<T> task, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        WaitFor(task, timeout ?? DefaultTimeout);
        return task.GetAwaiter().GetResult();
    }

    public void Await(Task task, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        WaitFor(task, timeout ?? DefaultTimeout);
        task.GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing)
        {
            return;
        }

        _disposed = true;
        var terminated = Sys.Terminate();
        if (!Sys.IsVirtualTime)
        {
            terminated.Wait(WallTerminateTimeout);
        }
    }

    private void WaitFor(Task task, TimeSpan timeout)
    {
        bool completed = Sys.IsVirtualTime
            ? VirtualTime.RunUntil(Sys, timeout, () => task.IsCompleted)
            : ((IAsyncResult)task).AsyncWaitHandle.WaitOne(timeout);
        if (!completed)
        {
            Xunit.Assert.Fail($"The task did not complete within {timeout}.");
        }
    }
}
