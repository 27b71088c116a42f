using System.Globalization;
using V2V.Market.Configuration;

namespace V2V.Host.Cli;

/// <summary>
/// An upper estimate of the peak memory of `v2v run` and `v2v train` from their sizes, checked against the memory this
/// process can have before any work starts, so `--agents 1000000` is refused at once instead of running until the
/// machine runs out. The coefficients are fitted to peak working sets of Release runs (docs/memory-estimate.md):
/// a base, the ledger the metrics read back (per EV parked per step), and each step's book, which grows with
/// buyers x sellers for the Nash and greedy-average clearings.
/// </summary>
public static class MemoryEstimate
{
    // Runtime, actor system and code, measured at about 56 MB for 100 EVs and one day; rounded up.
    private const double BaseBytes = 64e6;

    // The ledger is 160-290 B per parked EV per step and is read back whole for the metrics (about 3x its size).
    private const double BytesPerEvStep = 900;

    // Clearing scratch per N^2 (buyers x sellers ~ N^2/4): Nash measured 250-290 B, greedy-average 26 B, double auction none.
    private const double NashBytesPerEvSquared = 300;
    private const double GreedyBytesPerEvSquared = 30;

    // A replay transition: the critic input and the next one as floats, plus reward and done.
    private const double BytesPerTransition = ((2 * V2V.Learning.Maddpg.CriticContext.CriticInputSize) + 2) * sizeof(float);

    /// <summary>The memory this process may use: the GC's limit (machine or container), and on Linux at most what is free now.</summary>
    public static long AvailableBytes()
    {
        long limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return MemAvailableBytes() is { } free ? Math.Min(limit, free + Environment.WorkingSet) : limit;
    }

    /// <summary>Estimated peak bytes of a run of <paramref name="market"/>.</summary>
    public static double RunBytes(MarketConfig market)
    {
        ArgumentNullException.ThrowIfNull(market);
        double parked = Parked(market.Population, market.Time.TotalSteps);
        return BaseBytes + (BytesPerEvStep * parked * market.Time.TotalSteps) + BookBytes(market.Clearing.Mechanism, parked);
    }

    /// <summary>
    /// Estimated peak bytes of a run of <paramref name="facilities"/> facilities of <paramref name="market"/> each: one
    /// base (one process, one actor system), and every facility's ledger and book as if all peaked at once.
    /// </summary>
    public static double RunBytes(MarketConfig market, int facilities) => BaseBytes + (facilities * (RunBytes(market) - BaseBytes));

    /// <summary>Estimated peak bytes of training: the replay buffer, the networks and one episode of the largest N.</summary>
    public static double TrainBytes(MarketConfig market, V2V.Learning.Maddpg.LearningConfig learning, string mechanism)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(learning);
        double parked = Parked(market.Population with { Agents = learning.TrainAgentsMax }, learning.EpisodeSteps);

        // Weights, Adam's two moments, gradients and the target copy: about 5 floats per parameter of each network.
        double parameters = Parameters(V2V.Learning.Maddpg.CriticContext.RowSize, learning.ActorHidden)
            + Parameters(V2V.Learning.Maddpg.CriticContext.CriticInputSize, learning.CriticHidden);
        return BaseBytes + (BytesPerTransition * learning.ReplayCapacity) + (5 * sizeof(float) * parameters)
            + (BytesPerEvStep * parked * learning.EpisodeSteps) + BookBytes(mechanism, parked);
    }

    /// <summary>Refuses (exit 2) a job whose estimate exceeds <paramref name="availableBytes"/>; <paramref name="what"/> names its size.</summary>
    public static void Require(double neededBytes, long availableBytes, string what, string lower)
    {
        if (neededBytes > availableBytes)
        {
            throw new UsageException(
                $"not enough memory: {what} needs about {Show(neededBytes)} (estimated), {Show(availableBytes)} is available; {lower}");
        }
    }

    /// <summary>Bytes as "12.3 GB".</summary>
    public static string Show(double bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
        int u = 0;
        while (bytes >= 1000 && u < units.Length - 1)
        {
            bytes /= 1000;
            u++;
        }

        return $"{bytes.ToString(bytes < 1000 ? "0.#" : "0.#e+0", CultureInfo.InvariantCulture)} {units[u]}";
    }

    // EVs parked at once: N at step 0; later, arrivals at N / mean-stay per step that stay (min + max) / 2 steps on average,
    // or at most the steps there are. The coefficients were fitted with this count equal to N (the reference stays).
    private static double Parked(PopulationConfig p, int steps) =>
        p.Agents * Math.Max(1, Math.Min((p.StayMinSteps + p.StayMaxSteps) / 2.0, steps) / p.MeanStaySteps);

    private static double BookBytes(string mechanism, double parked) => mechanism switch
    {
        "nash" => NashBytesPerEvSquared * parked * parked,
        "greedy-average" => GreedyBytesPerEvSquared * parked * parked,
        _ => 0,
    };

    private static double Parameters(int inputs, IReadOnlyList<int> hidden)
    {
        double total = 0;
        int previous = inputs;
        foreach (int width in hidden)
        {
            total += ((double)previous * width) + width;
            previous = width;
        }

        return total + previous + 1;
    }

    private static long? MemAvailableBytes()
    {
        const string MemInfo = "/proc/meminfo";
        try
        {
            foreach (var line in File.ReadLines(MemInfo))
            {
                // "MemAvailable:   23252000 kB"
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)
                    && long.TryParse(line["MemAvailable:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture, out long kb))
                {
                    return kb * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or no /proc: the GC's limit alone.
        }

        return null;
    }
}
