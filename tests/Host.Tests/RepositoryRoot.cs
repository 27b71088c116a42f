namespace V2V.Host.Tests;

/// <summary>The checkout the tests run from: the folder above the test binaries that holds V2V.Actors.sln.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "V2V.Actors.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("V2V.Actors.sln not found above the test binaries");
    }
}
