using V2V.Host.Cli;
using V2V.Host.Output;
using V2V.Host.Tests.Configuration;

namespace V2V.Host.Tests.Cli;

/// <summary>(Linux paths: /dev/null, /proc.) --out of run and train: a file, a device, an empty string, a folder that cannot be written: exit 2, nothing written.</summary>
public sealed class OutputFolderTests
{
    [Fact]
    public void Check_ExistingFile_IsRefusedAndLeftAlone()
    {
        using var temp = new TempFolder();
        var file = temp.Write("results.txt", "keep me");

        var e = Assert.Throws<UsageException>(() => OutputFolder.Check("out", file));

        Assert.Equal($"--out: {file} is a file or device, not a folder; give a folder path", e.Message);
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Check_Empty_IsRefused(string path) =>
        Assert.Equal("--out: empty; give the path of a folder", Assert.Throws<UsageException>(() => OutputFolder.Check("out", path)).Message);

    [Fact]
    public void Check_DevNull_IsRefused()
    {
        Assert.Contains("/dev/null is a file or device, not a folder", Assert.Throws<UsageException>(() => OutputFolder.Check("out", "/dev/null")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_FolderNobodyCanWrite_IsRefused()
    {
        // /proc (Linux) refuses new files even to root, for whom permission bits on an ordinary folder mean nothing.

        var e = Assert.Throws<UsageException>(() => OutputFolder.Check("out", "/proc/v2v-run"));

        Assert.StartsWith("--out: cannot write in /proc (", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_PathUnderAFile_NamesTheFile()
    {
        using var temp = new TempFolder();
        var file = temp.Write("f", "");

        var e = Assert.Throws<UsageException>(() => OutputFolder.Check("out", Path.Combine(file, "run")));

        Assert.Contains($"{file} is a file, so", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NewFolderInAWritableOne_ReturnsItsFullPathAndCreatesNothing()
    {
        using var temp = new TempFolder();
        var dir = Path.Combine(temp.Path, "a", "b");

        Assert.Equal(dir, OutputFolder.Check("out", dir));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Theory]
    [InlineData("run")]
    [InlineData("train")]
    public void Command_OutAtAFile_ExitsTwoBeforeAnyWork(string command)
    {
        using var temp = new TempFolder();
        var file = temp.Write("x", "keep me");
        string[] args = command == "run" ? ["run", "--quiet", "--days", "1", "--out", file] : ["train", "--method", "learning-only", "--out", file];

        var (code, _, error) = V2vCli.Run(args);

        Assert.Equal(2, code);
        Assert.Equal($"v2v {command}: --out: {file} is a file or device, not a folder; give a folder path", error.TrimEnd());
        Assert.Equal("keep me", File.ReadAllText(file));
        Assert.Single(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Theory]
    [InlineData("run", "")]
    [InlineData("train", "")]
    [InlineData("run", "/dev/null")]
    [InlineData("train", "/dev/null")]
    [InlineData("run", "/proc/v2v-run")]
    [InlineData("train", "/proc/v2v-run")]
    public void Command_BadOut_ExitsTwoNamingOut(string command, string path)
    {
        string[] args = command == "run" ? ["run", "--quiet", "--days", "1", "--out", path] : ["train", "--method", "learning-only", "--out", path];

        var (code, _, error) = V2vCli.Run(args);

        Assert.Equal(2, code);
        Assert.StartsWith($"v2v {command}: --out: ", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }
}
