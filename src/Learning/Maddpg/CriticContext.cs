using V2V.Market.Vehicles;

namespace V2V.Learning.Maddpg;

/// <summary>
/// SPEC 7: the centralised critic's input. An agent's row is its observation then its action (14 values); the
/// critic sees its own row then the context: for the OTHER active buyers, the mean and the max of their rows,
/// the same for the other active sellers, and N_active / scale. Fixed size for any N and invariant to agent order
/// (means and maxima are symmetric functions). An empty group pools to zeros (our choice).
/// </summary>
public static class CriticContext
{
    public const int RowSize = Observation.Size + ActionMapping.Size;

    /// <summary>[buyers mean, buyers max, sellers mean, sellers max, N_active / scale].</summary>
    public const int Size = (4 * RowSize) + 1;

    public const int CriticInputSize = RowSize + Size;

    /// <summary>
    /// Writes every agent's critic input: its row (<paramref name="rows"/>[i]) then its context (<see cref="Write"/>),
    /// <see cref="CriticInputSize"/> values per agent into <paramref name="inputs"/>.
    /// </summary>
    public static void WriteInputs(
        ReadOnlySpan<float> rows, ReadOnlySpan<bool> isSeller, int n, double activeScale, Span<float> contexts, Span<float> inputs)
    {
        Write(rows, isSeller, n, activeScale, contexts);
        for (int i = 0; i < n; i++)
        {
            rows.Slice(i * RowSize, RowSize).CopyTo(inputs.Slice(i * CriticInputSize));
            contexts.Slice(i * Size, Size).CopyTo(inputs.Slice((i * CriticInputSize) + RowSize));
        }
    }

    /// <summary>
    /// Writes every agent's context: <paramref name="contexts"/>[i] pools every row but row i. O(n x 14): sums minus
    /// one's own row give the means; the largest and second-largest value per column give the maxima without i.
    /// </summary>
    public static void Write(ReadOnlySpan<float> rows, ReadOnlySpan<bool> isSeller, int n, double activeScale, Span<float> contexts)
    {
        if (rows.Length < n * RowSize || isSeller.Length < n || contexts.Length < n * Size)
        {
            throw new ArgumentException($"buffers too small for {n} agents");
        }

        Span<double> sum = stackalloc double[2 * RowSize];
        Span<float> max1 = stackalloc float[2 * RowSize];
        Span<float> max2 = stackalloc float[2 * RowSize];
        Span<int> arg1 = stackalloc int[2 * RowSize];
        Span<int> count = stackalloc int[2];
        sum.Clear();
        max1.Fill(float.NegativeInfinity);
        max2.Fill(float.NegativeInfinity);
        arg1.Fill(-1);
        count.Clear();
        for (int i = 0; i < n; i++)
        {
            int g = isSeller[i] ? 1 : 0;
            count[g]++;
            ReadOnlySpan<float> row = rows.Slice(i * RowSize, RowSize);
            for (int d = 0; d < RowSize; d++)
            {
                int at = (g * RowSize) + d;
                float x = row[d];
                sum[at] += x;
                if (x > max1[at])
                {
                    max2[at] = max1[at];
                    max1[at] = x;
                    arg1[at] = i;
                }
                else if (x > max2[at])
                {
                    max2[at] = x;
                }
            }
        }

        float active = (float)(n / activeScale);
        for (int i = 0; i < n; i++)
        {
            int own = isSeller[i] ? 1 : 0;
            Span<float> ctx = contexts.Slice(i * Size, Size);
            ReadOnlySpan<float> row = rows.Slice(i * RowSize, RowSize);
            for (int g = 0; g < 2; g++)
            {
                int others = count[g] - (g == own ? 1 : 0);
                Span<float> mean = ctx.Slice(2 * g * RowSize, RowSize);
                Span<float> max = ctx.Slice(((2 * g) + 1) * RowSize, RowSize);
                for (int d = 0; d < RowSize; d++)
                {
                    int at = (g * RowSize) + d;
                    if (others == 0)
                    {
                        mean[d] = 0;
                        max[d] = 0;
                        continue;
                    }

                    bool self = g == own;
                    mean[d] = (float)((sum[at] - (self ? row[d] : 0)) / others);
                    max[d] = self && arg1[at] == i ? max2[at] : max1[at];
                }
            }

            ctx[Size - 1] = active;
        }
    }
}
