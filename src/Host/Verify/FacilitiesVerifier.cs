using System.Text.Json;
using V2V.Host.Configuration;
using V2V.Host.Run;
using V2V.Simulation.Facilities;

namespace V2V.Host.Verify;

/// <summary>
/// `verify` on the folder of a run of several facilities (one that holds <c>facilities/</c>): every facility folder is
/// checked as a run folder of its own (<see cref="FolderVerifier"/>), and each finding is a line naming its facility
/// (<c>facility f001: line 12: ...</c>). Besides: the facilities are exactly f000..f(F-1) of the run's config.json;
/// each facility's config.json is the run's with that facility's seed (so its arrivals are replayed from the right
/// seed); the run-level complete.json names the run's steps and F, and then every facility is complete; the run-level
/// summary.json's totals and per-facility lines equal the facilities' own summary.json numbers.
/// </summary>
internal static class FacilitiesVerifier
{
    private const string Summary = RunFolderFiles.Summary;

    /// <summary>True when <paramref name="dir"/> is the folder of a run of several facilities.</summary>
    public static bool Applies(string dir) => Directory.Exists(Path.Combine(dir, FacilityPlan.Folder));

    public static FolderReport Verify(string dir)
    {
        var configPath = Path.Combine(dir, RunFolderFiles.Config);
        IReadOnlyList<Facility> facilities;
        try
        {
            var config = ConfigLoader.Load(configPath, []);
            facilities = FacilityPlan.For(MarketConfigBinder.Bind(config), MarketConfigBinder.Facilities(config));
        }
        catch (ConfigException e)
        {
            return FolderReport.Unchecked($"{RunFolderFiles.Config}: {e.Message.Replace(configPath, RunFolderFiles.Config, StringComparison.Ordinal)}");
        }

        var findings = new Findings();
        var runComplete = ReadRunMarker(dir, facilities, findings, out var why);
        CheckFolders(dir, facilities, findings);
        var incomplete = new List<string>();
        foreach (var f in facilities)
        {
            var facilityDir = FacilityFolders.PathOf(dir, f.Id);
            if (!Directory.Exists(facilityDir))
            {
                findings.Violation($"facility {f.Id}: no folder {FacilityPlan.Folder}/{f.Id}");
                continue;
            }

            var report = FolderVerifier.Verify(facilityDir);
            if (!report.Checked)
            {
                findings.Unreadable($"facility {f.Id}: {report.Headline}");
                continue;
            }

            foreach (var line in report.Lines)
            {
                if (report.Code == 2)
                {
                    findings.Unreadable($"facility {f.Id}: {line}");
                }
                else
                {
                    findings.Violation($"facility {f.Id}: {line}");
                }
            }

            if (report.Headline.StartsWith("incomplete", StringComparison.Ordinal))
            {
                incomplete.Add($"facility {f.Id}: {report.Headline}");
            }

            CheckFacilityConfig(configPath, facilityDir, f, findings);
        }

        if (runComplete)
        {
            foreach (var line in incomplete)
            {
                findings.Violation(line + $", but the run's {RunFolderFiles.Complete} says the run finished");
            }

            CheckSummary(dir, facilities, findings);
        }

        var tally = $"{findings.Count} {(findings.Code == 2 ? "problem(s)" : "violation(s)")}";
        if (runComplete)
        {
            return new FolderReport(findings.Code, findings.Count == 0 ? "ok" : tally, [.. findings.Lines]);
        }

        var verdict = findings.Count == 0 ? "the closed steps of every facility verify" : tally;
        return new FolderReport(Math.Max(1, findings.Code), $"incomplete ({why}): {facilities.Count - incomplete.Count} of {facilities.Count} facilities complete; {verdict}",
            [.. findings.Lines, .. incomplete]);
    }

    private static bool ReadRunMarker(string dir, IReadOnlyList<Facility> facilities, Findings findings, out string why)
    {
        why = "no completion marker";
        if (RunFileJson.ReadObject(dir, RunFolderFiles.Complete, findings) is { } c)
        {
            const string File = RunFolderFiles.Complete;
            if (RunFileJson.Text(c, File, "status", findings) is { } status && status != "complete")
            {
                findings.Violation($"{File}: \"status\" is \"{status}\", expected \"complete\"");
                return false;
            }

            var steps = facilities[0].Market.Time.TotalSteps;
            if (RunFileJson.Integer(c, File, "steps", findings) is { } s && s != steps)
            {
                findings.Violation($"{File}: steps {s}, but {RunFolderFiles.Config} gives {steps}");
            }

            if (RunFileJson.Integer(c, File, "facilities", findings) is { } n && n != facilities.Count)
            {
                findings.Violation($"{File}: facilities {n}, but {RunFolderFiles.Config} gives {facilities.Count}");
            }

            return true;
        }

        if (RunFileJson.ReadObject(dir, RunFolderFiles.Incomplete, findings) is { } i)
        {
            const string File = RunFolderFiles.Incomplete;
            why = $"{RunFileJson.Text(i, File, "reason", findings) ?? "stopped"}: {RunFileJson.Text(i, File, "cause", findings) ?? ""}";
        }

        return false;
    }

    // Exactly f000..f(F-1): a folder more is a facility the configuration does not know.
    private static void CheckFolders(string dir, IReadOnlyList<Facility> facilities, Findings findings)
    {
        var known = facilities.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var sub in Directory.EnumerateDirectories(Path.Combine(dir, FacilityPlan.Folder)).Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            if (!known.Contains(sub!))
            {
                findings.Violation($"{FacilityPlan.Folder}/{sub}: not a facility of this run ({RunFolderFiles.Config} has {facilities.Count}: f000..{facilities[^1].Id})");
            }
        }
    }

    private static void CheckFacilityConfig(string runConfig, string facilityDir, Facility f, Findings findings)
    {
        var path = Path.Combine(facilityDir, RunFolderFiles.Config);
        if (!File.Exists(path))
        {
            return;
        }

        try
        {
            if (File.ReadAllText(path) != FacilityFolders.ConfigJson(runConfig, f))
            {
                findings.Violation($"facility {f.Id}: {RunFolderFiles.Config} is not the run's configuration with the facility's seed {f.Market.Seed}");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            findings.Unreadable($"facility {f.Id}: {RunFolderFiles.Config}: cannot be read ({RunFolderFiles.Why(e)})");
        }
    }

    // The run's totals and per-facility lines against each facility's own summary.json (whose trade counts the
    // facility's check held to its ledger).
    private static void CheckSummary(string dir, IReadOnlyList<Facility> facilities, Findings findings)
    {
        if (RunFileJson.ReadObject(dir, Summary, findings) is not { } run)
        {
            if (!File.Exists(Path.Combine(dir, Summary)))
            {
                findings.Violation($"{Summary}: missing, but {RunFolderFiles.Complete} says the run finished");
            }

            return;
        }

        if (!run.TryGetProperty("perFacility", out var lines) || lines.ValueKind != JsonValueKind.Array || lines.GetArrayLength() != facilities.Count)
        {
            findings.Violation($"{Summary}: \"perFacility\" is {RunFileJson.Shown(run, "perFacility")}, expected one line per facility ({facilities.Count})");
            return;
        }

        string[] fields = ["tradesCommitted", "tradesVoided", "socialWelfareAud", "volumeKwh"];
        var totals = new double[fields.Length];
        var k = 0;
        foreach (var line in lines.EnumerateArray())
        {
            var f = facilities[k++];
            var own = RunFileJson.ReadObject(FacilityFolders.PathOf(dir, f.Id), Summary, new Findings());
            if (line.ValueKind != JsonValueKind.Object || !Matches(line, "id", f.Id) || !Matches(line, "seed", f.Market.Seed))
            {
                findings.Violation($"{Summary}: line {k} of \"perFacility\" is not facility {f.Id} with seed {f.Market.Seed}");
                continue;
            }

            for (var i = 0; i < fields.Length; i++)
            {
                var value = Number(line, fields[i]);
                totals[i] += value ?? 0;
                if (own is { } o && Number(o, fields[i]) is { } expected && value != expected)
                {
                    findings.Violation($"facility {f.Id}: {Summary} has {fields[i]} {expected}, the run's {Summary} {RunFileJson.Shown(line, fields[i])}");
                }
            }
        }

        for (var i = 0; i < fields.Length; i++)
        {
            if (Number(run, fields[i]) is not { } total || Math.Abs(total - totals[i]) > 1e-9 * Math.Max(1, Math.Abs(totals[i])))
            {
                findings.Violation($"{Summary}: \"{fields[i]}\" is {RunFileJson.Shown(run, fields[i])}, but the facilities' sum to {totals[i]}");
            }
        }
    }

    private static double? Number(JsonElement o, string field) =>
        o.TryGetProperty(field, out var p) && p.ValueKind == JsonValueKind.Number ? p.GetDouble() : null;

    private static bool Matches(JsonElement o, string field, string value) =>
        o.TryGetProperty(field, out var p) && p.ValueKind == JsonValueKind.String && p.GetString() == value;

    private static bool Matches(JsonElement o, string field, int value) =>
        o.TryGetProperty(field, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var n) && n == value;
}
