// Compiled twice: by MSBuild's RoslynCodeTaskFactory as the PatchLibTorchSharp task (build/TorchSharp.targets),
// and, with LIBTORCHSHARP_PATCH_LOGIC_ONLY defined, into tests/Learning.Tests, which checks the patch on the real
// library. Plain C# without MSBuild types above the #if, so the test build needs nothing else.
using System;
using System.IO;
using System.Text;

namespace V2V.Build
{
    /// <summary>What <see cref="GlibcxxPatch.Apply"/> did to a library image.</summary>
    public enum GlibcxxPatchOutcome
    {
        /// <summary>The image asks for GLIBCXX_3.4.32 for one symbol; both are now rewritten.</summary>
        Patched,

        /// <summary>The GLIBCXX_3.4.32 requirement is already weak and no symbol uses it: nothing to do.</summary>
        AlreadyPatched,

        /// <summary>The image does not ask for GLIBCXX_3.4.32 at all.</summary>
        NotNeeded,
    }

    /// <summary>
    /// TorchSharp 0.107.0's libLibTorchSharp.so was linked against GCC 13's libstdc++ and asks for
    /// GLIBCXX_3.4.32 for exactly one symbol, <c>std::ios_base_library_init()</c>, which GCC 13 references only to
    /// order the iostream initialisation. Systems with GCC 12's libstdc++ (Debian 12, Ubuntu 22.04: 3.4.30) refuse
    /// to load it. The patch, in place on the ELF64 little-endian image (System V gABI, "Symbol Versioning"):
    /// in <c>.gnu.version_r</c> the <c>vernaux</c> entry named GLIBCXX_3.4.32 gets VER_FLG_WEAK (0x2), so a
    /// missing version is no longer fatal; in <c>.dynsym</c> the undefined symbols bound to that version are renamed
    /// to <see cref="Replacement"/> (a harmless libc function taking no argument; its name is written over the old
    /// one in <c>.dynstr</c>, NUL-padded, only where no other name shares those bytes) and their <c>.gnu.version</c>
    /// entries set to 1 (unversioned). Sizes and offsets do not change. Applying it twice is a no-op.
    /// </summary>
    public static class GlibcxxPatch
    {
        public const string RequiredVersion = "GLIBCXX_3.4.32";
        public const string Replacement = "getpid";
        /// <summary>Where the dynamic loader's default search finds libstdc++.so.6 on the usual x86-64 distributions.</summary>
        public static readonly string[] SystemLibstdcxxCandidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };

        private const uint SectionDynamicSymbols = 11;
        private const uint SectionDynamic = 6;
        private const uint SectionVersionNeeds = 0x6ffffffe;
        private const uint SectionVersionSymbols = 0x6fffffff;
        private const ushort WeakFlag = 0x2;

        /// <summary>Whether a libstdc++ image defines <see cref="RequiredVersion"/> (the name as a NUL-ended string).</summary>
        public static bool DefinesRequiredVersion(byte[] libstdcxx) =>
            IndexOf(libstdcxx, Encoding.ASCII.GetBytes(RequiredVersion + "\0")) >= 0;

        /// <summary>Patches <paramref name="image"/> in place; throws <see cref="InvalidDataException"/> on anything unexpected.</summary>
        public static GlibcxxPatchOutcome Apply(byte[] image)
        {
            if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
            {
                throw new InvalidDataException("not an ELF file");
            }

            if (image[4] != 2 || image[5] != 1)
            {
                throw new InvalidDataException("not a 64-bit little-endian ELF file");
            }

            long sectionTable = I64(image, 0x28);
            int entrySize = U16(image, 0x3a);
            int count = U16(image, 0x3c);
            long dynsym = -1, versym = -1, verneed = -1, dynamic = -1;
            for (int s = 0; s < count; s++)
            {
                long at = sectionTable + ((long)s * entrySize);
                uint type = U32(image, at + 4);
                if (type == SectionDynamicSymbols) { dynsym = at; }
                else if (type == SectionVersionSymbols) { versym = at; }
                else if (type == SectionVersionNeeds) { verneed = at; }
                else if (type == SectionDynamic) { dynamic = at; }
            }

            if (dynsym < 0 || versym < 0 || verneed < 0)
            {
                throw new InvalidDataException("no .dynsym, .gnu.version or .gnu.version_r section");
            }

            long strings = sectionTable + ((long)U32(image, dynsym + 40) * entrySize);
            long stringsOffset = I64(image, strings + 24);
            long stringsSize = I64(image, strings + 32);

            // Find the vernaux entry; every string offset in the version needs is kept to check overlaps later.
            var usedNames = new System.Collections.Generic.List<long>();
            long entry = I64(image, verneed + 24);
            int needs = (int)U32(image, verneed + 44);
            long weakAt = -1;
            ushort versionIndex = 0;
            for (int n = 0; n < needs; n++)
            {
                usedNames.Add(U32(image, entry + 4));
                int auxCount = U16(image, entry + 2);
                long aux = entry + U32(image, entry + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    uint name = U32(image, aux + 8);
                    usedNames.Add(name);
                    if (ReadString(image, stringsOffset + name) == RequiredVersion)
                    {
                        weakAt = aux + 4;
                        versionIndex = (ushort)(U16(image, aux + 6) & 0x7fff);
                    }

                    aux += U32(image, aux + 12);
                }

                entry += U32(image, entry + 12);
            }

            if (weakAt < 0)
            {
                return GlibcxxPatchOutcome.NotNeeded;
            }

            // The undefined symbols bound to that version, and every other symbol's name offset.
            long symbolsOffset = I64(image, dynsym + 24);
            long symbolCount = I64(image, dynsym + 32) / 24;
            long versionsOffset = I64(image, versym + 24);
            var bound = new System.Collections.Generic.List<long>();
            for (long i = 0; i < symbolCount; i++)
            {
                long symbol = symbolsOffset + (i * 24);
                if ((U16(image, versionsOffset + (i * 2)) & 0x7fff) == versionIndex)
                {
                    if (U16(image, symbol + 6) != 0)
                    {
                        throw new InvalidDataException($"symbol {ReadString(image, stringsOffset + U32(image, symbol))} is defined with version {RequiredVersion}");
                    }

                    bound.Add(i);
                }
                else
                {
                    usedNames.Add(U32(image, symbol));
                }
            }

            if (dynamic >= 0)
            {
                // DT_NEEDED, DT_SONAME, DT_RPATH and DT_RUNPATH name strings in .dynstr too.
                long dynamicOffset = I64(image, dynamic + 24);
                long dynamicCount = I64(image, dynamic + 32) / 16;
                for (long d = 0; d < dynamicCount; d++)
                {
                    long tag = I64(image, dynamicOffset + (d * 16));
                    if (tag == 1 || tag == 14 || tag == 15 || tag == 29)
                    {
                        usedNames.Add(I64(image, dynamicOffset + (d * 16) + 8));
                    }
                }
            }

            bool wasWeak = (U16(image, weakAt) & WeakFlag) != 0;
            if (bound.Count == 0)
            {
                if (!wasWeak)
                {
                    throw new InvalidDataException($"{RequiredVersion} is required but no symbol uses it");
                }

                return GlibcxxPatchOutcome.AlreadyPatched;
            }

            byte[] replacement = Encoding.ASCII.GetBytes(Replacement);
            foreach (long i in bound)
            {
                long symbol = symbolsOffset + (i * 24);
                uint name = U32(image, symbol);
                int length = ReadString(image, stringsOffset + name).Length;
                if (length < replacement.Length || name + length >= stringsSize)
                {
                    throw new InvalidDataException($"symbol name at {name} is too short for {Replacement}");
                }

                foreach (long other in usedNames)
                {
                    if (other >= name && other <= name + length)
                    {
                        throw new InvalidDataException($"another name shares the bytes of the symbol name at {name}");
                    }
                }

                long start = stringsOffset + name;
                Array.Clear(image, (int)start, length);
                Array.Copy(replacement, 0, image, start, replacement.Length);
                image[versionsOffset + (i * 2)] = 1;
                image[versionsOffset + (i * 2) + 1] = 0;
            }

            int flags = U16(image, weakAt) | WeakFlag;
            image[weakAt] = (byte)flags;
            image[weakAt + 1] = (byte)(flags >> 8);
            return GlibcxxPatchOutcome.Patched;
        }

        private static string ReadString(byte[] image, long at)
        {
            long end = at;
            while (end < image.Length && image[end] != 0)
            {
                end++;
            }

            return Encoding.ASCII.GetString(image, (int)at, (int)(end - at));
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
            {
                int k = 0;
                while (k < needle.Length && haystack[i + k] == needle[k])
                {
                    k++;
                }

                if (k == needle.Length)
                {
                    return i;
                }
            }

            return -1;
        }

        private static ushort U16(byte[] b, long at) => (ushort)(b[at] | (b[at + 1] << 8));

        private static uint U32(byte[] b, long at) => (uint)(U16(b, at) | (U16(b, at + 2) << 16));

        private static long I64(byte[] b, long at) => (long)(U32(b, at) | ((ulong)U32(b, at + 4) << 32));
    }

#if !LIBTORCHSHARP_PATCH_LOGIC_ONLY
    /// <summary>
    /// Patches the copies of libLibTorchSharp.so in a build's output folder when the system's libstdc++ lacks
    /// GLIBCXX_3.4.32; the NuGet cache is never touched. Writes through a temporary file, so an interrupted build
    /// leaves either the original or the patched copy.
    /// </summary>
    public sealed class PatchLibTorchSharp : Microsoft.Build.Utilities.Task
    {
        /// <summary>The copies of libLibTorchSharp.so in the output folder.</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Libraries { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        public override bool Execute()
        {
            string found = Array.Find(GlibcxxPatch.SystemLibstdcxxCandidates, File.Exists);
            if (found is null)
            {
                Log.LogWarning("libLibTorchSharp.so: no system libstdc++.so.6 found in {0}; not patched", string.Join(", ", GlibcxxPatch.SystemLibstdcxxCandidates));
                return true;
            }

            if (GlibcxxPatch.DefinesRequiredVersion(File.ReadAllBytes(found)))
            {
                Log.LogMessage("libLibTorchSharp.so: {0} has {1}; no patch needed", found, GlibcxxPatch.RequiredVersion);
                return true;
            }

            foreach (var item in Libraries)
            {
                string path = item.ItemSpec;
                byte[] image = File.ReadAllBytes(path);
                GlibcxxPatchOutcome outcome;
                try
                {
                    outcome = GlibcxxPatch.Apply(image);
                }
                catch (InvalidDataException e)
                {
                    Log.LogError("cannot patch {0} for {1}'s libstdc++: {2}", path, found, e.Message);
                    return false;
                }

                if (outcome == GlibcxxPatchOutcome.Patched)
                {
                    string temp = path + ".patching";
                    File.WriteAllBytes(temp, image);
                    // A rename: the output folder's entry is replaced, never the file it was copied from.
                    File.Replace(temp, path, null);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High, "libLibTorchSharp.so: {0} lacks {1}; patched {2}", found, GlibcxxPatch.RequiredVersion, path);
                }
            }

            return true;
        }
    }
#endif
}
