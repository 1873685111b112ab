using System.Buffers.Binary;
using System.Text;

namespace MoViSharp.Platform;

/// <summary>One symbol-version requirement of a shared library (an ELF vernaux entry).</summary>
/// <param name="Library">The library that must provide the version, e.g. libstdc++.so.6.</param>
/// <param name="Version">The version name, e.g. GLIBCXX_3.4.32.</param>
/// <param name="Flags">vna_flags; <see cref="ElfVersionNeeds.WeakFlag"/> makes the loader accept a missing version.</param>
/// <param name="FlagsOffset">File offset of the 2-byte vna_flags field.</param>
public sealed record ElfVersionNeed(string Library, string Version, ushort Flags, long FlagsOffset)
{
    public bool IsWeak => (Flags & ElfVersionNeeds.WeakFlag) != 0;
}

/// <summary>
/// Reads and edits the version requirements (.gnu.version_r, SHT_GNU_verneed) of a 64-bit little-endian ELF file.
/// Every offset and count read from the file is checked against the file's length, so a hostile or truncated file gives an
/// <see cref="InvalidDataException"/> naming the problem, never an out-of-range access.
/// </summary>
public static class ElfVersionNeeds
{
    public const ushort WeakFlag = 0x2;          // VER_FLG_WEAK
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const int MaxEntries = 1 << 16;       // far above any real library; bounds hostile counts

    /// <summary>Lists every version requirement in the file's bytes.</summary>
    public static IReadOnlyList<ElfVersionNeed> Read(ReadOnlySpan<byte> elf, string fileNameForErrors = "ELF file")
    {
        Require(elf.Length >= 64, fileNameForErrors, "is shorter than an ELF header (64 bytes)");
        Require(elf[0] == 0x7f && elf[1] == (byte)'E' && elf[2] == (byte)'L' && elf[3] == (byte)'F', fileNameForErrors, "has no ELF magic");
        Require(elf[4] == 2, fileNameForErrors, "is not a 64-bit ELF file");
        Require(elf[5] == 1, fileNameForErrors, "is not a little-endian ELF file");

        long sectionHeaders = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]));
        int sectionHeaderSize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3A..]);
        int sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3C..]);
        Require(sectionHeaderSize >= 64, fileNameForErrors, $"declares section headers of {sectionHeaderSize} bytes (expected 64)");
        Require(sectionHeaders > 0 && sectionHeaders + (long)sectionHeaderSize * sectionCount <= elf.Length,
            fileNameForErrors, "has section headers beyond the end of the file");

        var needs = new List<ElfVersionNeed>();
        for (int s = 0; s < sectionCount; s++)
        {
            var header = elf.Slice(checked((int)(sectionHeaders + (long)s * sectionHeaderSize)), 64);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != ShtGnuVerneed) continue;

            long offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[0x18..]);
            long size = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[0x20..]);
            int stringSection = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[0x28..]);
            int entryCount = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(header[0x2C..]), MaxEntries);
            Require(offset >= 0 && size >= 0 && offset + size <= elf.Length, fileNameForErrors, "has a .gnu.version_r section beyond the end of the file");
            Require(stringSection > 0 && stringSection < sectionCount, fileNameForErrors, "has a .gnu.version_r section without a valid string table");

            var strings = elf.Slice(checked((int)(sectionHeaders + (long)stringSection * sectionHeaderSize)), 64);
            long stringsOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(strings[0x18..]);
            long stringsSize = (long)BinaryPrimitives.ReadUInt64LittleEndian(strings[0x20..]);
            Require(stringsOffset >= 0 && stringsSize >= 0 && stringsOffset + stringsSize <= elf.Length, fileNameForErrors, "has a string table beyond the end of the file");
            var stringTable = elf.Slice((int)stringsOffset, (int)stringsSize);

            long need = offset;
            for (int n = 0; n < entryCount; n++)
            {
                Require(need + 16 <= offset + size, fileNameForErrors, "has a version-need entry beyond its section");
                var entry = elf.Slice((int)need, 16);
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(entry[2..]);
                string library = ReadString(stringTable, BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]), fileNameForErrors);
                long aux = need + BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]);
                for (int a = 0; a < auxCount; a++)
                {
                    Require(aux >= offset && aux + 16 <= offset + size, fileNameForErrors, "has a version-need auxiliary entry beyond its section");
                    var auxEntry = elf.Slice((int)aux, 16);
                    ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(auxEntry[4..]);
                    string version = ReadString(stringTable, BinaryPrimitives.ReadUInt32LittleEndian(auxEntry[8..]), fileNameForErrors);
                    needs.Add(new ElfVersionNeed(library, version, flags, aux + 4));
                    uint nextAux = BinaryPrimitives.ReadUInt32LittleEndian(auxEntry[12..]);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]);
                if (next == 0) break;
                need += next;
            }
        }
        return needs;
    }

    /// <summary>
    /// Sets the weak flag on every requirement of <paramref name="version"/> in <paramref name="elf"/> (in memory).
    /// Returns how many entries changed: 0 when already weak or absent, which makes the edit idempotent.
    /// </summary>
    public static int MakeWeak(Span<byte> elf, string version, string fileNameForErrors = "ELF file")
    {
        int changed = 0;
        foreach (var need in Read(elf, fileNameForErrors))
        {
            if (need.Version != version || need.IsWeak) continue;
            BinaryPrimitives.WriteUInt16LittleEndian(elf[(int)need.FlagsOffset..], (ushort)(need.Flags | WeakFlag));
            changed++;
        }
        return changed;
    }

    private static string ReadString(ReadOnlySpan<byte> table, uint index, string file)
    {
        Require(index < table.Length, file, "names a version string outside its string table");
        var rest = table[(int)index..];
        int end = rest.IndexOf((byte)0);
        Require(end >= 0, file, "has an unterminated version string");
        return Encoding.ASCII.GetString(rest[..end]);
    }

    private static void Require(bool condition, string file, string problem)
    {
        if (!condition) throw new InvalidDataException($"{file} {problem}.");
    }
}
