namespace V2V.Clearing.Nash;

/// <summary>
/// The per-pair arrays of one Nash clearing (the problem's gains, the certificate's candidate and best quantities),
/// kept per thread and handed to the next book of the same shape, as <see cref="InteriorPointSolver"/> keeps itself.
/// </summary>
/// <remarks>
/// Allocated afresh, these ~80 KB per N = 100 book were most of a solve's allocations (109 KB, now 29 KB), and each book
/// started on memory the allocator had just handed out. Measured on 2026-12-03 (2,000 solves of one every-pair N = 100
/// book, 6 alternated runs): fastest 0.964-0.973 -> 0.941-0.955 ms; medians 1.02-1.14 against 0.99-1.23 ms and means
/// 1.10-1.27 against 1.05-1.27 ms (this VM's slow phases decide those); gen-0 collections 13 -> 3 per 2,000 solves.
/// Nothing in a <see cref="ClearingResult"/> refers to these arrays, so reusing them for the next book on the thread is
/// safe; only <see cref="NashBargaining.Clear"/> uses them (tests that build problems directly get fresh arrays).
/// </remarks>
internal sealed class NashScratch
{
    [ThreadStatic]
    private static NashScratch? current;

    private double[]? pairGain;
    private double[]? tradableGain;
    private double[]? gain;
    private double[]? candidate;
    private double[]? best;

    /// <summary>This thread's scratch.</summary>
    public static NashScratch ForThisThread() => current ??= new NashScratch();

    public double[] PairGain(int length) => Zeroed(ref pairGain, length);

    public double[] TradableGain(int length) => Zeroed(ref tradableGain, length);

    public double[] Gain(int length) => Zeroed(ref gain, length);

    public double[] Candidate(int length) => Zeroed(ref candidate, length);

    public double[] Best(int length) => Zeroed(ref best, length);

    /// <summary>A zeroed array of exactly this length: the slot's, if it has that length, or a new one.</summary>
    public static double[] Zeroed(ref double[]? slot, int length)
    {
        if (slot is null || slot.Length != length)
        {
            slot = new double[length];
        }
        else
        {
            Array.Clear(slot);
        }

        return slot;
    }
}
