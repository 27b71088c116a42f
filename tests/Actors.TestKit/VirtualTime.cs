using System.Diagnostics;
using V2V.Actors.Dispatch;

namespace V2V.Actors.TestKit;

/// <summary>Driving the virtual-time kernel from a test thread, on behalf of probes and the test kit.</summary>
public static class VirtualTime
{
    /// <summary>Runs every event due within <paramref name="delta"/> and moves the clock by it.</summary>
    public static void Advance(ActorSystem system, TimeSpan delta) => KernelOf(system).Advance(delta);

    /// <summary>Runs events until none is left (timers re-arming forever never end: use Advance for those).</summary>
    public static void RunUntilIdle(ActorSystem system) => KernelOf(system).RunUntilIdle();

    /// <summary>
    /// Steps the kernel until <paramref name="done"/> holds or <paramref name="timeout"/> of virtual time has
    /// passed; on timeout the clock ends exactly at the deadline, as a real wait would.
    /// </summary>
    public static bool RunUntil(ActorSystem system, TimeSpan timeout, Func<bool> done)
    {
        ArgumentNullException.ThrowIfNull(done);
        var kernel = KernelOf(system);
        if (done())
        {
            return true;
        }

        long now = kernel.NowTicks;
        long deadline = timeout.Ticks >= long.MaxValue - now ? long.MaxValue : now + Math.Max(0, timeout.Ticks);
        while (kernel.TryStep(deadline))
        {
            if (done())
            {
                return true;
            }
        }

        if (deadline != long.MaxValue)
        {
            kernel.RunUntil(new TimeSpan(deadline));
        }

        return done();
    }

    private static VirtualTimeKernel KernelOf(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (!system.IsVirtualTime)
        {
            throw new InvalidOperationException(
                "Virtual-time control needs an ActorSystem on DispatcherKind.VirtualTime; on the wall clock, wait with Expect*.");
        }

        Debug.Assert(!system.Kernel.IsRunning, "driven from inside the kernel");
        return system.Kernel;
    }
}
