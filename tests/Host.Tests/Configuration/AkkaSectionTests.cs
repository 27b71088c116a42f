using FsCheck;
using FsCheck.Fluent;
using V2V.Host.Configuration;
using Config = V2V.Host.Configuration.Config;

namespace V2V.Host.Tests.Configuration;

/// <summary>
/// One HOCON stack for v2v and Akka: akka.* keys are read, included, substituted and overridden by our loader, checked
/// with positions, and reach the actor system as Akka's own Config.
/// </summary>
public sealed class AkkaSectionTests
{
    private static Config Load(string? file, params string[] sets) => ConfigLoader.Load(file, sets, [], _ => null);

    [Fact]
    public void ToAkkaConfig_Defaults_CarryReferenceConfAkkaSection()
    {
        var akka = Load(null).ToAkkaConfig();

        Assert.Equal("WARNING", akka.GetString("akka.loglevel"));
        Assert.Equal("WARNING", akka.GetString("akka.stdout-loglevel"));
        Assert.Equal("off", akka.GetString("akka.log-dead-letters"));
        Assert.False(akka.GetBoolean("akka.actor.serialize-messages"));
    }

    [Fact]
    public void ToAkkaConfig_AkkaSettingsInUserFileAndItsInclude_ReachAkka()
    {
        using var temp = new TempFolder();
        temp.Write("parts/akka-extra.conf", "actor.debug.receive = on\nscheduler.tick-duration = 20ms\n");
        var file = temp.Write("run.conf", """
            v2v.seed = 7
            akka {
              loglevel = INFO
              include "parts/akka-extra.conf"
              cluster.roles = [market, "ev fleet"]
            }
            """);

        var config = Load(file);
        var akka = config.ToAkkaConfig();

        Assert.Equal(7, config.GetInt("v2v.seed"));
        Assert.Equal("INFO", akka.GetString("akka.loglevel"));
        Assert.True(akka.GetBoolean("akka.actor.debug.receive"));
        Assert.Equal(TimeSpan.FromMilliseconds(20), akka.GetTimeSpan("akka.scheduler.tick-duration"));
        Assert.Equal(["market", "ev fleet"], akka.GetStringList("akka.cluster.roles"));
        Assert.Equal("WARNING", akka.GetString("akka.stdout-loglevel"));
    }

    [Fact]
    public void ToAkkaConfig_SetAkkaLoglevel_OverridesTheFile()
    {
        using var temp = new TempFolder();
        var file = temp.Write("run.conf", "akka.loglevel = INFO\n");

        var akka = Load(file, "akka.loglevel=DEBUG").ToAkkaConfig();

        Assert.Equal("DEBUG", akka.GetString("akka.loglevel"));
    }

    [Fact]
    public void ToAkkaConfig_Substitutions_ResolveFromV2vKeysAndTheEnvironment()
    {
        using var temp = new TempFolder();
        var file = temp.Write("run.conf", "akka.loglevel = ${?V2V_AKKA_LOG}\nakka.remote.dot-netty.tcp.port = ${v2v.seed}\n");

        var withEnv = ConfigLoader.Load(file, ["v2v.seed=2552"], [], name => name == "V2V_AKKA_LOG" ? "ERROR" : null).ToAkkaConfig();
        var withoutEnv = ConfigLoader.Load(file, [], [], _ => null).ToAkkaConfig();

        Assert.Equal("ERROR", withEnv.GetString("akka.loglevel"));
        Assert.Equal(2552, withEnv.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.Equal("WARNING", withoutEnv.GetString("akka.loglevel"));
    }

    [Fact]
    public void ToAkkaConfig_SerializationBindingKeyWithDotsAndComma_StaysOneKey()
    {
        var akka = Load(null, "akka.actor.serialization-bindings.\"V2V.Simulation.IProtocolMessage, V2V.Simulation\"=v2v").ToAkkaConfig();

        var bindings = akka.GetConfig("akka.actor.serialization-bindings").AsEnumerable().ToList();

        var binding = Assert.Single(bindings);
        Assert.Equal("V2V.Simulation.IProtocolMessage, V2V.Simulation", binding.Key);
        Assert.Equal("v2v", binding.Value.GetString());
    }

    [Fact]
    public void Load_AkkaKeysInAFile_AreNotUnknownV2vKeys()
    {
        using var temp = new TempFolder();
        var file = temp.Write("run.conf", "akka { actor.provider = cluster, some-future-setting = 3 }\n");

        var akka = Load(file).ToAkkaConfig();

        Assert.Equal("cluster", akka.GetString("akka.actor.provider"));
        Assert.Equal(3, akka.GetInt("akka.some-future-setting"));
    }

    [Fact]
    public void Load_SyntaxErrorInAkkaSection_NamesFileLineColumnAndKey()
    {
        using var temp = new TempFolder();
        var file = temp.Write("run.conf", "akka {\n  loglevel = DEBUG\n  actor.serialize-messages = on }}\n");

        var e = Assert.Throws<ConfigException>(() => Load(file));

        // Line 3: the second '}' closes nothing (column 34 counts from 1).
        Assert.Equal(new SourcePosition(file, 3, 34), e.Position);
        Assert.StartsWith($"{file}:3:34: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AkkaLogLevelAkkaCannotRead_NamesFileLineColumnAndKey()
    {
        using var temp = new TempFolder();
        var file = temp.Write("run.conf", "v2v.seed = 1\nakka {\n  loglevel = LOUD\n}\n");

        var e = Assert.Throws<ConfigException>(() => Load(file));

        Assert.Equal(new SourcePosition(file, 3, 14), e.Position);
        Assert.Equal("akka.loglevel", e.KeyPath);
        Assert.Equal("expected one of DEBUG|INFO|WARNING|ERROR|OFF, got \"LOUD\"", e.Detail);
    }

    [Fact]
    public void Load_AkkaLogLevelInLowerCase_IsAcceptedAsAkkaDoes()
    {
        Assert.Equal("debug", Load(null, "akka.loglevel=debug").ToAkkaConfig().GetString("akka.loglevel"));
    }

    [Theory]
    [InlineData("akka.actor.serialize-messages=yes", "akka.actor.serialize-messages")]
    [InlineData("akka.log-dead-letters=many", "akka.log-dead-letters")]
    [InlineData("akka.log-dead-letters=-1", "akka.log-dead-letters")]
    [InlineData("akka.stdout-loglevel=2", "akka.stdout-loglevel")]
    public void Load_AkkaValueAkkaWouldRejectAtStart_IsAnErrorNamingTheSetAndKey(string set, string key)
    {
        var e = Assert.Throws<ConfigException>(() => Load(null, set));

        Assert.Equal(key, e.KeyPath);
        Assert.Equal($"--set '{set}'", e.Position.File);
    }

    [Theory]
    [InlineData("akka.log-dead-letters=10", "10")]
    [InlineData("akka.log-dead-letters=on", "on")]
    public void Load_LogDeadLettersWordOrCount_ReachesAkka(string set, string expected)
    {
        Assert.Equal(expected, Load(null, set).ToAkkaConfig().GetString("akka.log-dead-letters"));
    }

    [Fact]
    public void ToJson_AkkaSection_IsLeftOutSoItCannotChangeAFingerprint()
    {
        string quiet = Load(null).ToJson();
        string loud = Load(null, "akka.loglevel=DEBUG").ToJson();

        Assert.Equal(quiet, loud);
        Assert.DoesNotContain("loglevel", quiet, StringComparison.Ordinal);
        Assert.Contains("\"v2v\"", quiet, StringComparison.Ordinal);
    }

    [Fact]
    public void ToAkkaConfig_OnASubTree_IsRefused()
    {
        var vehicle = Load(null).GetConfig("v2v.vehicle");

        var e = Assert.Throws<InvalidOperationException>(() => vehicle.ToAkkaConfig());

        Assert.Contains("v2v.vehicle", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToAkkaConfig_NoAkkaSection_IsEmptySoAkkaDefaultsApply()
    {
        Assert.True(ConfigLoader.Parse("v2v.seed = 1", "t.conf", _ => null).ToAkkaConfig().IsEmpty);
    }

    [Fact]
    public void ToAkkaConfig_AnyStringValueAndKey_ReachAkkaUnchanged()
    {
        // Our parser reads the value from a quoted HOCON string built by JSON escaping; Akka must read back the same text,
        // up to what Akka does to every string it reads: it trims white space and takes the text "null" for null.
        Prop.ForAll(
            ArbMap.Default.ArbFor<NonNull<string>>(),
            ArbMap.Default.ArbFor<NonNull<string>>(),
            (value, key) =>
            {
                string quotedValue = System.Text.Json.JsonSerializer.Serialize(value.Get);
                string quotedKey = System.Text.Json.JsonSerializer.Serialize("k" + key.Get);
                var config = ConfigLoader.Parse($"akka.strings {{ {quotedKey} = {quotedValue} }}", "t.conf", _ => null);

                var entry = Assert.Single(config.ToAkkaConfig().GetConfig("akka.strings").AsEnumerable());
                string? akkaReads = value.Get.Trim() is var trimmed && trimmed == "null" ? null : trimmed;
                return entry.Key == "k" + key.Get && entry.Value.GetString() == akkaReads;
            }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData("actors")]
    [InlineData("simulation")]
    public void Train_AkkaSettingTheActorSystemRefuses_ExitsTwoNamingTheSetting(string backend)
    {
        // Before, train started its actor systems with our defaults only, so a user's akka section was silently ignored.
        using var dir = new TempFolder();
        var (code, _, err) = V2vCli.Run(
            "train", "--method", "learning-only", "--episodes", "1", "--backend", backend, "--out", dir.Path, "--no-progress",
            "--set", "akka.actor.provider=nonsense", "--set", "v2v.learning.evaluation-episodes=0");
        Assert.Equal(2, code);
        Assert.Equal("v2v train: the akka section: 'akka.actor.provider' is not a valid type name : 'nonsense'", err.Trim());
    }

    [Theory]
    [InlineData("akka.actor.provider=nonsense", "v2v run: the akka section: 'akka.actor.provider' is not a valid type name")]
    [InlineData("akka.scheduler.tick-duration=1ms", "v2v run: the akka section: akka.scheduler.tick-duration: minimum supported akka.scheduler.tick-duration")]
    public void Run_AkkaSettingTheActorSystemRefuses_ExitsTwoAndMarksTheFolderIncomplete(string setting, string expected)
    {
        using var dir = new TempFolder();
        string run = Path.Combine(dir.Path, "run");
        var (code, _, err) = V2vCli.Run("run", "--agents", "4", "--days", "1", "--quiet", "--out", run, "--set", setting);
        Assert.Equal(2, code);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith(expected, err, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(run, "incomplete.json")));
        Assert.False(File.Exists(Path.Combine(run, "complete.json")));
    }
}
