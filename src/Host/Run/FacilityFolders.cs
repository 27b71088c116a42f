using System.Globalization;
using V2V.Host.Configuration;
using V2V.Host.Output;
using V2V.Simulation.Facilities;

namespace V2V.Host.Run;

/// <summary>
/// Where a run of several facilities keeps each facility: <c>facilities/f000/</c>, <c>facilities/f001/</c>, ... under
/// the run folder, each a run folder of its own (config.json, ledger.jsonl, then steps.csv, agents.csv, summary.json
/// and complete.json, or incomplete.json). A facility's config.json is the run's configuration with the facility's seed
/// and one facility, so <c>v2v verify</c> checks the facility folder like any run folder and <c>v2v run --config
/// facilities/f001/config.json</c> gives facility f001's ledger again, byte for byte.
/// </summary>
public static class FacilityFolders
{
    public static string PathOf(string runDir, string facilityId) => Path.Combine(runDir, FacilityPlan.Folder, facilityId);

    /// <summary>
    /// The configuration of facility <paramref name="facility"/>, as the JSON of its config.json: the run's config.json
    /// (<paramref name="runConfigJson"/>, a file) read back with <c>v2v.seed</c> set to the facility's seed and
    /// <c>v2v.population.facilities</c> to 1.
    /// </summary>
    public static string ConfigJson(string runConfigJson, Facility facility)
    {
        ArgumentNullException.ThrowIfNull(facility);
        return ConfigLoader.Load(runConfigJson, [],
        [
            new OptionOverride("seed", facility.Market.Seed.ToString(CultureInfo.InvariantCulture), "v2v.seed"),
            new OptionOverride("facilities", "1", "v2v.population.facilities"),
        ]).ToJson();
    }

    /// <summary>Makes each facility's folder and writes its config.json, before any facility starts.</summary>
    public static void Create(string runDir, IReadOnlyList<Facility> facilities)
    {
        ArgumentNullException.ThrowIfNull(facilities);
        var runConfig = Path.Combine(runDir, RunFolder.ConfigJson);
        try
        {
            Parallel.ForEach(facilities, new ParallelOptions { MaxDegreeOfParallelism = 2 * Environment.ProcessorCount }, f =>
            {
                var dir = PathOf(runDir, f.Id);
                Directory.CreateDirectory(dir);
                AtomicFile.WriteText(Path.Combine(dir, RunFolder.ConfigJson), ConfigJson(runConfig, f));
            });
        }
        catch (AggregateException all)
        {
            // The first failure as itself (an I/O error names its path), as a sequential loop would throw it.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(all.InnerExceptions[0]);
        }
    }
}
