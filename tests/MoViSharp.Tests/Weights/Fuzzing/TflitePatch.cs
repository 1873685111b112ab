using System.Globalization;
using System.Text;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// A damaged TFLite model stored as its difference from the shared reference model (which never enters the repository):
/// a text file with the length, then one line per changed run, <c>@offset hexbytes</c>.
/// </summary>
internal static class TflitePatch
{
    public const string Extension = ".tflite-patch";

    public static byte[] Encode(byte[] reference, byte[] damaged)
    {
        var text = new StringBuilder($"length {damaged.Length}\n");
        int common = Math.Min(reference.Length, damaged.Length);
        for (int i = 0; i < common; i++)
        {
            if (reference[i] == damaged[i]) continue;
            int start = i;
            while (i < common && reference[i] != damaged[i]) i++;
            text.Append(CultureInfo.InvariantCulture, $"@{start} {Convert.ToHexString(damaged, start, i - start)}\n");
        }
        if (damaged.Length > reference.Length)
            text.Append(CultureInfo.InvariantCulture, $"@{reference.Length} {Convert.ToHexString(damaged, reference.Length, damaged.Length - reference.Length)}\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    public static byte[] Apply(byte[] reference, string patch)
    {
        var lines = patch.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int length = int.Parse(lines[0]["length ".Length..], CultureInfo.InvariantCulture);
        var bytes = new byte[length];
        Array.Copy(reference, bytes, Math.Min(length, reference.Length));
        foreach (string line in lines.Skip(1))
        {
            var parts = line[1..].Split(' ');
            Convert.FromHexString(parts[1]).CopyTo(bytes, int.Parse(parts[0], CultureInfo.InvariantCulture));
        }
        return bytes;
    }
}
