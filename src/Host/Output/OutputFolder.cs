using V2V.Host.Cli;

namespace V2V.Host.Output;

/// <summary>
/// The one place an output folder given on the command line (<c>run --out</c>, <c>train --out</c>) is checked before
/// any work starts: not empty, not a file or device (<c>/dev/null</c>), under no file, and in a folder this process can
/// write. Each failure is a <see cref="UsageException"/> naming the option: exit 2, nothing written.
/// </summary>
public static class OutputFolder
{
    /// <summary>Checks that <paramref name="path"/> is or can become a writable folder; returns its full path.</summary>
    /// <param name="option">The option's name without dashes, for the message.</param>
    public static string Check(string option, string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException($"--{option}: empty; give the path of a folder");
        }

        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new UsageException($"--{option}: '{path}' is not a usable path ({e.Message})");
        }

        if (Path.Exists(full) && !Directory.Exists(full))
        {
            throw new UsageException($"--{option}: {path} is a file or device, not a folder; give a folder path");
        }

        // The nearest part of the path that exists must be a folder we can write in (it is where the rest is created).
        string existing = full;
        while (!Directory.Exists(existing))
        {
            if (Path.Exists(existing))
            {
                throw new UsageException($"--{option}: {existing} is a file, so {path} cannot be created under it");
            }

            existing = Path.GetDirectoryName(existing) ?? throw new UsageException($"--{option}: no part of {path} exists");
        }

        if (!CanWrite(existing, out string why))
        {
            throw new UsageException($"--{option}: cannot write in {existing} ({why}); give a folder you can write to");
        }

        return full;
    }

    /// <summary>Creates the folder (and its parents) after <see cref="Check"/>; a failure names the option.</summary>
    public static void Create(string option, string path)
    {
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--{option}: cannot create {path} ({e.Message})");
        }
    }

    // Permission bits do not tell (root writes anywhere, read-only mounts ignore them): create and delete a probe file.
    private static bool CanWrite(string folder, out string why)
    {
        string probe = Path.Combine(folder, $".v2v-write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }

            why = "";
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            why = "permission denied";
            return false;
        }
        catch (IOException e)
        {
            why = e is FileNotFoundException or DirectoryNotFoundException
                ? "no file can be created there"
                : e.Message.Replace($"'{probe}'", "", StringComparison.Ordinal).Replace(probe, "", StringComparison.Ordinal).Trim(' ', ':', '.');
            return false;
        }
    }
}
