namespace V2V.Clearing.Nash;

/// <summary>
/// Where the interior point method's per-edge arrays keep each outer participant's edges: either every inner
/// participant in order (the dense layout, slot o * nI + i, used from the start) or, once the support phase has
/// dropped the pairs that will not trade (<see cref="InteriorPointSolver"/>), only the kept edges, row by row, with
/// their inner participants listed in <see cref="Columns"/>.
/// </summary>
internal sealed class EdgeRows
{
    private readonly int[] start;
    private readonly int[] columns;
    private readonly int[] slots;

    public EdgeRows(int outerCount, int innerCount)
    {
        OuterCount = outerCount;
        InnerCount = innerCount;
        start = new int[outerCount + 1];
        columns = new int[outerCount * innerCount];
        slots = new int[outerCount * innerCount];
        MakeDense();
    }

    public int OuterCount { get; }

    public int InnerCount { get; }

    /// <summary>True in the dense layout (every row holds every inner participant, in order).</summary>
    public bool Dense { get; private set; }

    /// <summary>Stored edge slots: nO x nI when dense, the kept edges otherwise.</summary>
    public int Count => start[OuterCount];

    public int RowStart(int o) => start[o];

    public int RowLength(int o) => start[o + 1] - start[o];

    /// <summary>The inner participants of row o's slots when compressed; empty when dense (slot order is inner order).</summary>
    public ReadOnlySpan<int> ColumnsOf(int o) => Dense ? default : columns.AsSpan(start[o], RowLength(o));

    /// <summary>Inner participant of slot p in row o.</summary>
    public int Inner(int o, int p) => Dense ? p - start[o] : columns[p];

    /// <summary>The dense slot (o * nI + i) of compressed slot p (p itself when dense).</summary>
    public int DenseSlot(int p) => Dense ? p : slots[p];

    public void MakeDense()
    {
        Dense = true;
        for (var o = 0; o <= OuterCount; o++)
        {
            start[o] = o * InnerCount;
        }
    }

    /// <summary>
    /// Compresses the dense layout to the slots where keep is true, row by row in inner order (so a kept slot never
    /// moves up: callers compact their arrays in place front to back with <see cref="DenseSlot"/>).
    /// </summary>
    public void Compress(ReadOnlySpan<bool> keep)
    {
        if (!Dense)
        {
            throw new InvalidOperationException("the edge rows are already compressed");
        }

        var count = 0;
        for (var o = 0; o < OuterCount; o++)
        {
            start[o] = count;
            for (var i = 0; i < InnerCount; i++)
            {
                var slot = o * InnerCount + i;
                if (keep[slot])
                {
                    columns[count] = i;
                    slots[count] = slot;
                    count++;
                }
            }
        }

        start[OuterCount] = count;
        Dense = false;
    }
}
