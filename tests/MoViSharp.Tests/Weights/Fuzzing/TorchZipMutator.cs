using System.IO.Compression;
using MoViSharp.Tests.Weights.Formats;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// torch.save zip archives: the pickle mutated and re-zipped (so the damage reaches the unpickler), storage entries
/// truncated, grown, dropped or duplicated, entries renamed, and raw damage to the zip's own records (central directory sizes
/// and offsets).
/// </summary>
internal sealed class TorchZipMutator : IInputMutator
{
    public byte[] Mutate(byte[] seed, Mutation m, IReadOnlyList<byte[]> others)
    {
        if (m.Chance(25))
        {
            // The central directory and end record sit in the last few hundred bytes.
            int tail = Math.Max(0, seed.Length - 1024);
            return m.Chance(50) ? m.Bytes(seed, others, tail) : m.Bytes(seed, others);
        }
        List<(string Name, byte[] Bytes)> entries;
        try { entries = Entries(seed); }
        catch (InvalidDataException) { return m.Bytes(seed, others); }
        int pkl = entries.FindIndex(e => e.Name.EndsWith("data.pkl", StringComparison.Ordinal));
        switch (m.Next(5))
        {
            case 0:
            case 1:
                if (pkl < 0) goto default;
                for (int k = 1 + m.Next(3); k > 0; k--)
                    entries[pkl] = (entries[pkl].Name, PickleMutator.Mutate(entries[pkl].Bytes, 0, entries[pkl].Bytes.Length, m, others));
                break;
            case 2:
            {
                var storages = entries.Select((e, i) => (e, i)).Where(x => x.e.Name.Contains("/data/", StringComparison.Ordinal)).ToList();
                if (storages.Count == 0) goto default;
                var (entry, index) = m.Pick(storages);
                entries[index] = (entry.Name, m.Chance(50) ? entry.Bytes[..m.Next(entry.Bytes.Length + 1)] : [.. entry.Bytes, .. new byte[1 + m.Next(64)]]);
                break;
            }
            case 3:
            {
                int index = m.Next(entries.Count);
                if (m.Chance(50)) entries.RemoveAt(index);
                else entries.Add((m.Chance(50) ? entries[index].Name : entries[index].Name.Replace("archive/", m.Pick(["other/", "archive/code/", "a/", ""]), StringComparison.Ordinal), entries[index].Bytes));
                break;
            }
            default:
                return m.Bytes(seed, others);
        }
        return Zip(entries);
    }

    private static List<(string, byte[])> Entries(byte[] zipBytes)
    {
        using var zip = new ZipArchive(new MemoryStream(zipBytes), ZipArchiveMode.Read);
        return zip.Entries.Select(e =>
        {
            using var stream = e.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return (e.FullName, copy.ToArray());
        }).ToList();
    }

    private static byte[] Zip(List<(string Name, byte[] Bytes)> entries)
    {
        // Duplicate names are allowed in a zip: the reader must cope with them too.
        return PickleBytes.ZipEntries(entries.Select(e => (e.Name.Length == 0 ? "x" : e.Name, e.Bytes)));
    }
}
