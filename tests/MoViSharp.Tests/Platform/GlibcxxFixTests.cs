using System.Buffers.Binary;
using System.Text;
using MoViSharp.Platform;

namespace MoViSharp.Tests.Platform;

public class GlibcxxFixTests
{
    /// <summary>A minimal valid ELF64 file with one .gnu.version_r section naming libstdc++.so.6 and the given versions.</summary>
    internal static byte[] BuildElf(params (string Version, ushort Flags)[] versions)
    {
        var strings = new List<byte> { 0 };
        int AddString(string s) { int at = strings.Count; strings.AddRange(Encoding.ASCII.GetBytes(s)); strings.Add(0); return at; }
        int library = AddString("libstdc++.so.6");
        var names = versions.Select(v => AddString(v.Version)).ToArray();

        int verneedOffset = 64, verneedSize = 16 + 16 * versions.Length;
        int stringsOffset = verneedOffset + verneedSize;
        int sectionsOffset = stringsOffset + strings.Count;
        var elf = new byte[sectionsOffset + 3 * 64];
        elf[0] = 0x7f; elf[1] = (byte)'E'; elf[2] = (byte)'L'; elf[3] = (byte)'F'; elf[4] = 2; elf[5] = 1;
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(0x28), (ulong)sectionsOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3A), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3C), 3);

        var need = elf.AsSpan(verneedOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(need, 1);
        BinaryPrimitives.WriteUInt16LittleEndian(need[2..], (ushort)versions.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(need[4..], (uint)library);
        BinaryPrimitives.WriteUInt32LittleEndian(need[8..], 16);
        for (int i = 0; i < versions.Length; i++)
        {
            var aux = elf.AsSpan(verneedOffset + 16 + 16 * i);
            BinaryPrimitives.WriteUInt16LittleEndian(aux[4..], versions[i].Flags);
            BinaryPrimitives.WriteUInt32LittleEndian(aux[8..], (uint)names[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(aux[12..], i == versions.Length - 1 ? 0u : 16u);
        }
        strings.ToArray().CopyTo(elf, stringsOffset);

        // Section 1: .gnu.version_r (linked to section 2, the string table).
        var verneed = elf.AsSpan(sectionsOffset + 64);
        BinaryPrimitives.WriteUInt32LittleEndian(verneed[4..], 0x6ffffffe);
        BinaryPrimitives.WriteUInt64LittleEndian(verneed[0x18..], (ulong)verneedOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(verneed[0x20..], (ulong)verneedSize);
        BinaryPrimitives.WriteUInt32LittleEndian(verneed[0x28..], 2);
        BinaryPrimitives.WriteUInt32LittleEndian(verneed[0x2C..], 1);
        var strtab = elf.AsSpan(sectionsOffset + 128);
        BinaryPrimitives.WriteUInt32LittleEndian(strtab[4..], 3);
        BinaryPrimitives.WriteUInt64LittleEndian(strtab[0x18..], (ulong)stringsOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(strtab[0x20..], (ulong)strings.Count);
        return elf;
    }

    [Fact]
    public void ReadsVersionRequirementsWithFlags()
    {
        var elf = BuildElf(("GLIBCXX_3.4.30", 0), ("GLIBCXX_3.4.32", 0), ("CXXABI_1.3", 2));
        var needs = ElfVersionNeeds.Read(elf);
        Assert.Equal(["GLIBCXX_3.4.30", "GLIBCXX_3.4.32", "CXXABI_1.3"], needs.Select(n => n.Version));
        Assert.All(needs, n => Assert.Equal("libstdc++.so.6", n.Library));
        Assert.Equal([false, false, true], needs.Select(n => n.IsWeak));
    }

    [Fact]
    public void PatchMarksOnlyTheMissingVersionWeakAndIsIdempotent()
    {
        string dir = Directory.CreateTempSubdirectory("glibcxx").FullName;
        string lib = Path.Combine(dir, "runtimes", "linux-x64", "native", GlibcxxCompatibility.LibraryFileName);
        Directory.CreateDirectory(Path.GetDirectoryName(lib)!);
        var original = BuildElf(("GLIBCXX_3.4.30", 0), ("GLIBCXX_3.4.32", 0));
        File.WriteAllBytes(lib, original);

        var first = GlibcxxCompatibility.PatchDirectory(dir, systemProvidesVersion: false);
        Assert.Equal(GlibcxxPatchOutcome.Patched, Assert.Single(first).Outcome);
        var patched = File.ReadAllBytes(lib);
        var needs = ElfVersionNeeds.Read(patched);
        Assert.False(needs.Single(n => n.Version == "GLIBCXX_3.4.30").IsWeak);
        Assert.True(needs.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
        // Exactly one byte differs: the flags field of the GLIBCXX_3.4.32 entry.
        Assert.Equal(1, original.Zip(patched).Count(p => p.First != p.Second));

        var second = GlibcxxCompatibility.PatchDirectory(dir, systemProvidesVersion: false);
        Assert.Equal(GlibcxxPatchOutcome.AlreadyWeak, Assert.Single(second).Outcome);
        Assert.Equal(patched, File.ReadAllBytes(lib));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void PatchDoesNothingWhereTheSystemLibStdCxxHasTheVersion()
    {
        string dir = Directory.CreateTempSubdirectory("glibcxx").FullName;
        string lib = Path.Combine(dir, GlibcxxCompatibility.LibraryFileName);
        var original = BuildElf(("GLIBCXX_3.4.32", 0));
        File.WriteAllBytes(lib, original);
        string fakeLibStdCxx = Path.Combine(dir, "libstdc++.so.6");
        File.WriteAllBytes(fakeLibStdCxx, Encoding.ASCII.GetBytes("\0GLIBCXX_3.4.31\0GLIBCXX_3.4.32\0"));

        bool provided = GlibcxxCompatibility.SystemProvidesRequiredVersion([fakeLibStdCxx]);
        Assert.True(provided);
        Assert.Equal(GlibcxxPatchOutcome.SystemProvidesVersion, Assert.Single(GlibcxxCompatibility.PatchDirectory(dir, provided)).Outcome);
        Assert.Equal(original, File.ReadAllBytes(lib));
    }

    [Fact]
    public void LibraryWithoutTheRequirementIsLeftAlone()
    {
        string dir = Directory.CreateTempSubdirectory("glibcxx").FullName;
        string lib = Path.Combine(dir, GlibcxxCompatibility.LibraryFileName);
        File.WriteAllBytes(lib, BuildElf(("GLIBCXX_3.4.30", 0)));
        Assert.Equal(GlibcxxPatchOutcome.NotRequired, Assert.Single(GlibcxxCompatibility.PatchDirectory(dir, false)).Outcome);
    }

    [Theory]
    [InlineData(10, "is shorter than an ELF header (64 bytes)")]
    [InlineData(-1, "has no ELF magic")]
    [InlineData(-2, "has section headers beyond the end of the file")]
    public void MalformedFilesGiveClearErrors(int variant, string expected)
    {
        byte[] bytes = variant switch
        {
            10 => new byte[10],
            -1 => new byte[128],
            _ => BuildElf(("GLIBCXX_3.4.32", 0))[..100],
        };
        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(bytes, "lib.so"));
        Assert.Equal($"lib.so {expected}.", error.Message);
    }

    [Fact]
    public void TheBuiltTestOutputCarriesAPatchedLibraryThatLoads()
    {
        // The build ran the fix on this test project's own output: the library must be patched (or the system must not need it),
        // and libtorch must load.
        string? lib = new[] { AppContext.BaseDirectory, Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native") }
            .Select(d => Path.Combine(d, GlibcxxCompatibility.LibraryFileName)).FirstOrDefault(File.Exists);
        Assert.NotNull(lib);
        var need = ElfVersionNeeds.Read(File.ReadAllBytes(lib!)).Where(n => n.Version == GlibcxxCompatibility.RequiredVersion).ToList();
        Assert.True(GlibcxxCompatibility.SystemProvidesRequiredVersion() || need.All(n => n.IsWeak));
        TorchRuntime.EnsureLoaded();
    }

    [Fact]
    public void DiagnosisOfAnUnpatchedCopyNamesTheMissingVersionAndTheFix()
    {
        string dir = Directory.CreateTempSubdirectory("glibcxx").FullName;
        File.WriteAllBytes(Path.Combine(dir, GlibcxxCompatibility.LibraryFileName), BuildElf(("GLIBCXX_3.4.32", 0)));
        string fakeLibStdCxx = Path.Combine(dir, "libstdc++.so.6");
        File.WriteAllBytes(fakeLibStdCxx, Encoding.ASCII.GetBytes("\0GLIBCXX_3.4.30\0"));
        string message = TorchRuntime.Diagnose(dir, [fakeLibStdCxx]);
        Assert.Contains("requires GLIBCXX_3.4.32", message);
        Assert.Contains("patch-glibcxx", message);
    }
}
