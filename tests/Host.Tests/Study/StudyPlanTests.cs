using V2V.Host.Configuration;
using V2V.Host.Study;

namespace V2V.Host.Tests.Study;

public sealed class StudyPlanTests
{
    [Fact]
    public void Bind_PaperConf_TheStudysGridOf96Runs()
    {
        var paper = Path.Combine(Path.GetDirectoryName(SmokeStudyFixture.SmokeConf)!, "..", "paper.conf");

        var plan = StudyPlan.Bind(ConfigLoader.Load(paper, []));

        Assert.Equal(["nash-maddpg", "learning-only", "greedy-average", "double-auction"], plan.Methods.Select(m => m.Name));
        Assert.Equal([6, 10, 15, 20, 30, 50, 75, 100], plan.Agents);
        Assert.Equal([0, 1, 2], plan.Seeds);
        Assert.Equal(30, plan.Days);
        Assert.Equal("double-auction", plan.Baseline);
        Assert.Equal(96, plan.Runs().Count);
        Assert.Equal("nash-maddpg-n100-s2", plan.Runs()[23].FolderName);
    }

    [Fact]
    public void Bind_ReferenceMethods_PolicyMechanismAndTraining()
    {
        var plan = StudyPlan.Bind(ConfigLoader.Load(null, []));

        var byName = plan.Methods.ToDictionary(m => m.Name);
        Assert.Equal(("learned", "nash", "nash-maddpg"), (byName["nash-maddpg"].Policy, byName["nash-maddpg"].Mechanism, byName["nash-maddpg"].Training?.Name));
        Assert.Equal(("learned", "greedy-average", "learning-only"), (byName["learning-only"].Policy, byName["learning-only"].Mechanism, byName["learning-only"].Training?.Name));
        Assert.Null(byName["greedy-average"].Training);
        Assert.Equal("double-auction", byName["double-auction"].Mechanism);
    }

    [Fact]
    public void Bind_LearnedMethodWithoutReward_OneLineNamingTheMethod()
    {
        var config = ConfigLoader.Load(null, ["v2v.methods.double-auction.policy=learned"]);

        var e = Assert.Throws<ConfigException>(() => StudyPlan.Bind(config));

        Assert.Contains("v2v.methods.double-auction: a learned method needs a reward", e.Message, StringComparison.Ordinal);
    }
}
