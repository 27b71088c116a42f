using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;
using V2V.Build;

namespace V2V.Learning.Tests.Networks;

/// <summary>
/// The build's byte patch of TorchSharp's libLibTorchSharp.so (build/LibTorchSharpPatch.cs), on the real library:
/// the unpatched original from the NuGet folder, and the copy the build left in this test's output folder.
/// Linux x64 only (the only library it applies to); elsewhere these tests return at once.
/// </summary>
public sealed class LibTorchSharpPatchTests
{
    private const string Symbol = "_ZSt21ios_base_library_initv";

    private static bool LinuxX64 => OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.X64;

    private static string OriginalFile => typeof(LibTorchSharpPatchTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "LibTorchSharpPackageFile").Value!;

    private static string OutputCopy => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private static bool SystemHasRequiredVersion =>
        GlibcxxPatch.DefinesRequiredVersion(File.ReadAllBytes(GlibcxxPatch.SystemLibstdcxxCandidates.First(File.Exists)));

    [Fact]
    public void GlibcxxPatch_PackageLibrary_RenamesTheOneSymbolInPlaceAndIsIdempotent()
    {
        if (!LinuxX64)
        {
            return;
        }

        byte[] original = File.ReadAllBytes(OriginalFile);
        byte[] image = (byte[])original.Clone();
        Assert.Equal(GlibcxxPatchOutcome.Patched, GlibcxxPatch.Apply(image));

        // Same length; the symbol's name in .dynstr (its first copy; .strtab keeps one for debuggers) became
        // "getpid" NUL-padded where it stood; only a handful of bytes moved
        // (29 name bytes at most, one version index, one flag).
        Assert.Equal(original.Length, image.Length);
        int at = IndexOf(original, Encoding.ASCII.GetBytes(Symbol + "\0"));
        Assert.True(at > 0);
        Assert.NotEqual(at, IndexOf(image, Encoding.ASCII.GetBytes(Symbol + "\0")));
        Assert.Equal("getpid\0\0\0", Encoding.ASCII.GetString(image, at, 9));
        int changed = original.Zip(image).Count(p => p.First != p.Second);
        Assert.InRange(changed, 8, 40);

        byte[] again = (byte[])image.Clone();
        Assert.Equal(GlibcxxPatchOutcome.AlreadyPatched, GlibcxxPatch.Apply(again));
        Assert.Equal(image, again);
    }

    [Fact]
    public void PatchLibTorchSharp_OutputFolderCopy_IsPatchedExactlyWhenTheSystemLacksTheVersion()
    {
        if (!LinuxX64)
        {
            return;
        }

        byte[] expected = File.ReadAllBytes(OriginalFile);
        if (!SystemHasRequiredVersion)
        {
            GlibcxxPatch.Apply(expected);
        }

        Assert.Equal(expected, File.ReadAllBytes(OutputCopy));
    }

    [Fact]
    public void GlibcxxPatch_PatchedCopy_LoadsWhereTheOriginalLoadsOnlyWithGcc13Libstdcxx()
    {
        if (!LinuxX64)
        {
            return;
        }

        // libtorch is loaded first (by TorchSharp) so that both copies find their dependencies by name.
        Assert.Equal(3f, torch.ones(3).sum().item<float>());
        string folder = Directory.CreateTempSubdirectory("v2v-patch-").FullName;
        try
        {
            string original = Path.Combine(folder, "original", "libLibTorchSharp.so");
            string patched = Path.Combine(folder, "patched", "libLibTorchSharp.so");
            Directory.CreateDirectory(Path.GetDirectoryName(original)!);
            Directory.CreateDirectory(Path.GetDirectoryName(patched)!);
            File.Copy(OriginalFile, original);
            byte[] image = File.ReadAllBytes(OriginalFile);
            GlibcxxPatch.Apply(image);
            File.WriteAllBytes(patched, image);

            Assert.True(NativeLibrary.TryLoad(patched, out _));
            Assert.Equal(SystemHasRequiredVersion, NativeLibrary.TryLoad(original, out _));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void GlibcxxPatch_NotAnElfFile_IsRefused()
    {
        var e = Assert.Throws<InvalidDataException>(() => GlibcxxPatch.Apply(Encoding.ASCII.GetBytes(new string('x', 80))));
        Assert.Contains("not an ELF", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Torch_MatrixProduct_ComputesOnThisMachine()
    {
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        using var b = torch.tensor(new float[] { 5, 6, 7, 8 }, [2, 2]);
        using var c = a.matmul(b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                return i;
            }
        }

        return -1;
    }
}
