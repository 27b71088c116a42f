using V2V.Host.Configuration;
using V2V.Host.Study;

namespace V2V.Host.Tests.Study;

public sealed class StudyFingerprintTests
{
    private const string Experiment = """
        experiment {
          name = e, title = "a title", question = q, x-label = x, metrics = [jain]
          variants { one { x = 0, set = ["v2v.simulation.faults.dropout=0.1"] } }
        }
        """;

    [Fact]
    public void OfStudy_ExperimentReworded_Unchanged() =>
        Assert.Equal(StudyFingerprint.OfStudy(Load(Experiment)), StudyFingerprint.OfStudy(Load(Experiment.Replace("a title", "another title", StringComparison.Ordinal))));

    [Fact]
    public void OfStudy_ArrivalOrderAnalysisAdded_Unchanged() =>
        Assert.Equal(StudyFingerprint.OfStudy(Load(Experiment)), StudyFingerprint.OfStudy(Load(Experiment.Replace("metrics = [jain]", "metrics = [jain], arrival-order-bins = 4", StringComparison.Ordinal))));

    [Fact]
    public void OfStudy_VariantOverrideChanged_Differs() =>
        Assert.NotEqual(StudyFingerprint.OfStudy(Load(Experiment)), StudyFingerprint.OfStudy(Load(Experiment.Replace("0.1", "0.2", StringComparison.Ordinal))));

    [Fact]
    public void OfModel_AnyExperimentChange_Unchanged() =>
        Assert.Equal(StudyFingerprint.OfModel(Load(Experiment)), StudyFingerprint.OfModel(Load(Experiment.Replace("0.1", "0.2", StringComparison.Ordinal))));

    private static Config Load(string text)
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("v2v-fingerprint-").FullName, "e.conf");
        File.WriteAllText(file, text);
        try
        {
            return ConfigLoader.Load(file, []);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }
}
