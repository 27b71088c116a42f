using V2V.Host.Output;
using V2V.Host.Tests.Configuration;

namespace V2V.Host.Tests.Cli;

/// <summary>The progress bar is drawn only on a terminal: a redirected stderr gets no escape codes and no progress.</summary>
public sealed class ProgressDisplayTests
{
    [Fact]
    public void CanDraw_AnyWriterButTheTerminal_IsFalse() => Assert.False(ProgressDisplay.CanDraw(new StringWriter()));

    [Fact]
    public void Run_WithoutQuietIntoACapturedStderr_WritesNothingThere()
    {
        using var temp = new TempFolder();

        var (code, _, error) = V2vCli.Run("run", "--agents", "5", "--days", "1", "--out", Path.Combine(temp.Path, "run"));

        Assert.Equal(0, code);
        Assert.Equal("", error);
    }
}
