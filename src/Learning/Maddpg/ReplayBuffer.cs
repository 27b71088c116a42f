namespace V2V.Learning.Maddpg;

/// <summary>
/// SPEC 7: a ring buffer of transitions (critic input, reward, next critic input, done), oldest overwritten first.
/// The next input's action slots are left for the target actor to fill at sampling time. Contiguous float arrays,
/// so sampling a batch is a handful of block copies.
/// </summary>
public sealed class ReplayBuffer
{
    private const int Width = CriticContext.CriticInputSize;
    private readonly float[] inputs;
    private readonly float[] nextInputs;
    private readonly float[] rewards;
    private readonly float[] dones;
    private int next;

    public ReplayBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        this.inputs = new float[capacity * Width];
        this.nextInputs = new float[capacity * Width];
        this.rewards = new float[capacity];
        this.dones = new float[capacity];
    }

    public int Capacity { get; }

    public int Count { get; private set; }

    public long Added { get; private set; }

    /// <summary>Stores one transition; <paramref name="nextInput"/> is ignored (zeros kept) when done.</summary>
    public void Add(ReadOnlySpan<float> input, float reward, ReadOnlySpan<float> nextInput, bool done)
    {
        input[..Width].CopyTo(this.inputs.AsSpan(this.next * Width, Width));
        Span<float> next = this.nextInputs.AsSpan(this.next * Width, Width);
        if (done)
        {
            next.Clear();
        }
        else
        {
            nextInput[..Width].CopyTo(next);
        }

        this.rewards[this.next] = reward;
        this.dones[this.next] = done ? 1f : 0f;
        this.next = (this.next + 1) % Capacity;
        Count = Math.Min(Count + 1, Capacity);
        Added++;
    }

    /// <summary>The transition in slot <paramref name="slot"/> (the k-th added, until the ring wraps): copies, for inspection.</summary>
    public (float[] Input, float Reward, float[] NextInput, bool Done) At(int slot)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)slot, (uint)Count, nameof(slot));
        return (this.inputs.AsSpan(slot * Width, Width).ToArray(), this.rewards[slot], this.nextInputs.AsSpan(slot * Width, Width).ToArray(), this.dones[slot] > 0);
    }

    /// <summary>Copies <paramref name="batch"/> transitions drawn uniformly with replacement.</summary>
    public void Sample(Random random, int batch, Span<float> inputs, Span<float> rewards, Span<float> nextInputs, Span<float> dones)
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("cannot sample an empty replay buffer");
        }

        for (int b = 0; b < batch; b++)
        {
            int k = random.Next(Count);
            this.inputs.AsSpan(k * Width, Width).CopyTo(inputs.Slice(b * Width, Width));
            this.nextInputs.AsSpan(k * Width, Width).CopyTo(nextInputs.Slice(b * Width, Width));
            rewards[b] = this.rewards[k];
            dones[b] = this.dones[k];
        }
    }
}
