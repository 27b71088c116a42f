namespace V2V.Market.Randomness;

/// <summary>
/// Derives independent, reproducible seeds from the run seed and a stream name or index, so each actor owns a
/// seeded <see cref="Random"/> whose draws do not depend on the order in which other actors draw.
/// </summary>
public static class Seeds
{
    /// <summary>SplitMix64 finaliser: a well-mixed 64-bit function of its input.</summary>
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    public static int Derive(int runSeed, ulong stream) =>
        (int)(Mix(Mix((ulong)(uint)runSeed) ^ stream) & 0x7FFF_FFFF);

    /// <summary>A stable 64-bit hash of a name (FNV-1a), for streams named by an id such as "ev-000012".</summary>
    public static ulong Hash(string name)
    {
        var h = 14695981039346656037UL;
        foreach (var ch in name)
        {
            h = (h ^ ch) * 1099511628211UL;
        }

        return h;
    }

    public static int Derive(int runSeed, string stream) => Derive(runSeed, Hash(stream));

    public static Random CreateRandom(int runSeed, string stream) => new(Derive(runSeed, stream));
}
