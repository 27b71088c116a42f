using System.Runtime.InteropServices;

namespace V2V.Host.Run;

/// <summary>
/// SIGINT and SIGTERM while a run goes: the first one asks the run to stop at the end of its open step (the signal's
/// default, ending the process at once, is held back); a second one is left to its default, for a user who will not
/// wait for a long step. Exit codes follow the shell's 128 + signal number: 130 for SIGINT, 143 for SIGTERM.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly PosixSignalRegistration interrupt;
    private readonly PosixSignalRegistration terminate;
    private int received;

    public StopSignals()
    {
        interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => stop.Token;

    /// <summary>The first signal received, as the shell names it.</summary>
    public string Name => Volatile.Read(ref received) == (int)PosixSignal.SIGTERM ? "SIGTERM" : "SIGINT";

    public int ExitCode => Volatile.Read(ref received) == (int)PosixSignal.SIGTERM ? 143 : 130;

    public void Dispose()
    {
        interrupt.Dispose();
        terminate.Dispose();
        stop.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.CompareExchange(ref received, (int)context.Signal, 0) != 0)
        {
            return;
        }

        context.Cancel = true;
        stop.Cancel();
    }
}
