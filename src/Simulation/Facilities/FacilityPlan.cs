using System.Globalization;
using V2V.Market.Configuration;
using V2V.Market.Randomness;

namespace V2V.Simulation.Facilities;

/// <summary>
/// One facility of a run: its index, its id (<c>f000</c>, <c>f001</c>, ...) and its market, which is the run's
/// market with the facility's own seed. A facility is a whole market of its own (coordinator, arrival process,
/// network and fault plan, ledger), so it is exactly a one-facility run of <see cref="Market"/>.
/// </summary>
public sealed record Facility(int Index, string Id, MarketConfig Market);

/// <summary>
/// The facilities of a run of F facilities and their seeds. Facility k's seed depends on the run seed and k only,
/// never on F: f000 has the run seed itself (so a one-facility run is the plain run), every other facility a seed
/// derived from (run seed, "facility/" + id) by the stable hash of <see cref="Seeds"/>. Two facilities never share a
/// seed (they would be the same market twice): a seed already taken by a lower-numbered facility is derived again
/// with an attempt counter appended, which depends on the lower facilities only.
/// </summary>
public static class FacilityPlan
{
    /// <summary>The largest number of facilities a run may have: each holds an open ledger file and two actors.</summary>
    public const int MaxFacilities = 10_000;

    /// <summary>The folder under a run folder that holds one folder per facility when a run has more than one.</summary>
    public const string Folder = "facilities";

    public static string IdOf(int index) => "f" + index.ToString("D3", CultureInfo.InvariantCulture);

    /// <summary>The seeds of facilities 0..count-1 of a run with <paramref name="runSeed"/>.</summary>
    public static IReadOnlyList<int> SeedsFor(int runSeed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxFacilities);
        var seeds = new int[count];
        var taken = new HashSet<int>(count);
        for (var k = 0; k < count; k++)
        {
            var seed = k == 0 ? runSeed : Seeds.Derive(runSeed, "facility/" + IdOf(k));
            for (var attempt = 1; !taken.Add(seed); attempt++)
            {
                seed = Seeds.Derive(runSeed, "facility/" + IdOf(k) + "/" + attempt.ToString(CultureInfo.InvariantCulture));
            }

            seeds[k] = seed;
        }

        return seeds;
    }

    /// <summary>The <paramref name="count"/> facilities of a run of <paramref name="run"/>, each with its own seed.</summary>
    public static IReadOnlyList<Facility> For(MarketConfig run, int count)
    {
        ArgumentNullException.ThrowIfNull(run);
        var seeds = SeedsFor(run.Seed, count);
        var facilities = new Facility[count];
        for (var k = 0; k < count; k++)
        {
            facilities[k] = new Facility(k, IdOf(k), run with { Seed = seeds[k] });
        }

        return facilities;
    }
}
