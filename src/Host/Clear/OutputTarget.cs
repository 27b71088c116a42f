using V2V.Host.Cli;
using V2V.Host.Output;

namespace V2V.Host.Clear;

/// <summary>
/// Where `v2v clear --output` writes: checked before any book is cleared (an empty path, a directory, a folder that
/// cannot be written), then written whole through <see cref="AtomicFile"/>, so a failure leaves what was there before.
/// A device such as /dev/null is written directly: renaming a temporary file over it would replace the device.
/// </summary>
internal static class OutputTarget
{
    /// <exception cref="UsageException">The path cannot take the result; the message names --output and why.</exception>
    public static void Check(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException("--output: empty path; give a file name, or leave --output out to write to standard output");
        }

        if (Directory.Exists(path))
        {
            throw new UsageException($"--output: '{path}' is a directory; give a file name inside it");
        }

        if (IsDevice(path))
        {
            return;
        }

        // Writing (and removing) a probe file where AtomicFile puts its temporary file proves the folder writable.
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        var probe = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.probe");
        try
        {
            Directory.CreateDirectory(folder);
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--output: cannot write to '{folder}': {e.Message}");
        }
    }

    public static void Write(string path, string text)
    {
        try
        {
            if (IsDevice(path))
            {
                File.AppendAllText(path, text);
            }
            else
            {
                AtomicFile.WriteText(path, text);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--output: cannot write '{path}': {e.Message}");
        }
    }

    private static bool IsDevice(string path) =>
        Path.GetFullPath(path).StartsWith("/dev/", StringComparison.Ordinal) && File.Exists(path);
}
