namespace V2V.Clearing.Nash.LargeBooks;

/// <summary>
/// One round's restricted program for <see cref="RestrictedInteriorPoint"/>: the participants with a pair in the working
/// set, numbered in book order (buyers, then sellers), and the working set's pairs as scaled edges.
/// </summary>
internal sealed class Round
{
    private Round(int[] node, int participants, int edges)
    {
        Node = node;
        Participants = participants;
        From = new int[edges];
        To = new int[edges];
        Gain = new double[edges];
        Capacity = new double[participants];
        Full = new int[participants];
    }

    /// <summary>Node of book participant k (buyers, then sellers), -1 if it has no pair in the working set.</summary>
    public int[] Node { get; }

    /// <summary>Book participant of each node.</summary>
    public int[] Full { get; }

    public int Participants { get; }

    public int[] From { get; }

    public int[] To { get; }

    public double[] Gain { get; }

    public double[] Capacity { get; }

    /// <summary>The restricted program of the working set (pairs b * sellers + s).</summary>
    public static Round Build(LargeBook book, List<long> pairs)
    {
        int nb = book.BuyerCount, ns = book.SellerCount;
        var node = new int[nb + ns];
        Array.Fill(node, -1);
        foreach (var pair in pairs)
        {
            node[(int)(pair / ns)] = 0;
            node[nb + (int)(pair % ns)] = 0;
        }

        var count = 0;
        for (var k = 0; k < node.Length; k++)
        {
            node[k] = node[k] == 0 ? count++ : -1;
        }

        var round = new Round(node, count, pairs.Count);
        for (var k = 0; k < node.Length; k++)
        {
            if (node[k] >= 0)
            {
                round.Full[node[k]] = k;
                round.Capacity[node[k]] = book.Capacity[k] / book.QuantityScale;
            }
        }

        for (var e = 0; e < pairs.Count; e++)
        {
            int b = (int)(pairs[e] / ns), s = (int)(pairs[e] % ns);
            round.From[e] = node[b];
            round.To[e] = node[nb + s];
            round.Gain[e] = book.Gain(b, s) / book.GainScale;
        }

        return round;
    }

    /// <summary>The SPEC 4 objective (original units) at scaled quantities: participants off the working set have u = 0.</summary>
    public double Objective(ReadOnlySpan<double> scaledQuantity, LargeBook book)
    {
        var utility = new double[Participants];
        for (var e = 0; e < From.Length; e++)
        {
            var t = Gain[e] * scaledQuantity[e];
            utility[From[e]] += t;
            utility[To[e]] += t;
        }

        var unit = book.GainScale * book.QuantityScale;
        double sum = 0;
        for (var k = 0; k < book.InObjective.Length; k++)
        {
            if (book.InObjective[k])
            {
                sum += Math.Log(book.Epsilon + (Node[k] >= 0 ? utility[Node[k]] * unit : 0));
            }
        }

        return sum;
    }

    /// <summary>Capacity multipliers in original units (1/kWh) for every book participant, 0 off the working set.</summary>
    public double[] Multipliers(ReadOnlySpan<double> scaledMultiplier, LargeBook book)
    {
        var lambda = new double[Node.Length];
        for (var v = 0; v < Participants; v++)
        {
            lambda[Full[v]] = scaledMultiplier[v] / book.QuantityScale;
        }

        return lambda;
    }
}
