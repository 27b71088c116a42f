using V2V.Host.Configuration;

namespace V2V.Host.Tests.Configuration;

/// <summary>Keys under v2v must be reference.conf's: a typo is an error naming the key, where it was written and the nearest key.</summary>
public sealed class UnknownKeyTests
{
    [Fact]
    public void Load_MisspeltKeyInSet_NamesTheKeyAndTheNearestKnownOne()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, ["v2v.simulation.faults.dropuot=0.1"]));

        Assert.Equal("v2v.simulation.faults.dropuot", e.KeyPath);
        Assert.Equal("unknown key; did you mean v2v.simulation.faults.dropout?", e.Detail);
        Assert.StartsWith("--set 'v2v.simulation.faults.dropuot=0.1'", e.Position.File, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MisspeltKeyInFile_NamesFileLineAndColumn()
    {
        using var temp = new TempFolder();
        var file = temp.Write("bad.conf", "v2v {\n  simulation.faults {\n    dropuot = 0.1\n  }\n}\n");

        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(file, []));

        Assert.Equal(new SourcePosition(file, 3, 15), e.Position);
        Assert.Equal("v2v.simulation.faults.dropuot", e.KeyPath);
        Assert.Contains("did you mean v2v.simulation.faults.dropout?", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_KeyFarFromAnyKnownOne_ListsTheKeysAtThatLevel()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, ["v2v.simulation.faults.zzzzzzzzzzzz=1"]));

        Assert.Equal(
            "unknown key; the keys under v2v.simulation.faults are coordinator-restart, coordinator-restart-steps, crash, dropout, message-delay, message-delay-max, message-drop, message-duplicate, node-loss, silent (see hocon/reference.conf)",
            e.Detail);
    }

    [Fact]
    public void Load_UnknownObjectUnderV2v_NamesTheFirstUnknownSegment()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, ["v2v.simulatoin.faults.crash=0.1"]));

        Assert.Equal("v2v.simulatoin", e.KeyPath);
        Assert.Contains("did you mean v2v.simulation?", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_KeysOutsideV2v_AreNotChecked()
    {
        var config = ConfigLoader.Load(null, ["akka.loglevel=DEBUG", "my-values.x=3"]);

        Assert.Equal("DEBUG", config.GetString("akka.loglevel"));
    }

    [Fact]
    public void Load_PaperConf_HoldsOnlyKnownKeys()
    {
        var paper = Path.Combine(RepositoryRoot.Path, "hocon", "paper.conf");

        var config = ConfigLoader.Load(paper, []);

        Assert.Equal(2000, config.GetInt("v2v.learning.episodes"));
    }

    [Fact]
    public void Run_UnknownKey_ExitsTwoAndWritesNothing()
    {
        using var temp = new TempFolder();
        var dir = Path.Combine(temp.Path, "run");

        var (code, _, error) = V2vCli.Run("run", "--quiet", "--set", "v2v.simulation.faults.dropuot=0.1", "--out", dir);

        Assert.Equal(2, code);
        Assert.Contains("v2v.simulation.faults.dropuot: unknown key; did you mean v2v.simulation.faults.dropout?", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.False(Directory.Exists(dir));
    }

    [Theory]
    [InlineData("dropout", "dropout", 0)]
    [InlineData("dropuot", "dropout", 2)]
    [InlineData("", "abc", 3)]
    [InlineData("kitten", "sitting", 3)]
    public void EditDistance_KnownPairs_HandCounted(string a, string b, int expected) =>
        Assert.Equal(expected, KnownKeys.EditDistance(a, b));
}
