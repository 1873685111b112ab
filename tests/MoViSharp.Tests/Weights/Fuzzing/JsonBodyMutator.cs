using System.Text;
using System.Text.RegularExpressions;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// JSON request bodies: values replaced by extreme numbers, numbers as strings, wrong types, long and odd strings, nesting,
/// unknown or repeated keys, other spellings of enum names; the text broken at a random place; and the generic byte mutations.
/// </summary>
internal sealed partial class JsonBodyMutator : IInputMutator
{
    private static readonly string[] Values =
    [
        "0", "-0", "-1", "1e308", "1e309", "-1e309", "120", "120.0000001", "1E-320", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "\"15\"", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "NaN", "null", "true", "false", "[]", "{}", "[[[[]]]]",
        "\"\"", "\" \"", "\"synthetic\"", "\"Synthetic\"", "\"SYNTHETIC\"", "\"push\"", "\"url\"", "\"file\"", "\"4\"", "4", "-1", "\"/dev/video0\"",
        "\"http://[::1\"", "\"rtsp://\"", "\"a b\"", "\"\\u0000\"", "\"\\ud800\"", "\"é\"", "\"../../etc/passwd\"", "\"x\\ny\"",
    ];
    private static readonly string[] Keys = ["id", "kind", "source", "loop", "fps", "model", "seed", "Id", "KIND", "extra", "", "$type"];

    [GeneratedRegex("(\"(?:[^\"\\\\]|\\\\.)*\"|-?[0-9][0-9.eE+-]*|true|false|null)")]
    private static partial Regex Token();

    public byte[] Mutate(byte[] seed, Mutation m, IReadOnlyList<byte[]> others)
    {
        if (m.Chance(20)) return m.Bytes(seed, others);
        string json = Encoding.UTF8.GetString(seed);
        switch (m.Next(6))
        {
            case 0:
            case 1:
            {
                var tokens = Token().Matches(json);
                if (tokens.Count == 0) break;
                var t = tokens[m.Next(tokens.Count)];
                string value = m.Chance(15) ? "\"" + new string((char)('a' + m.Next(26)), 1 + m.Next(1 << m.Next(17))) + "\"" : m.Pick(Values);
                json = json[..t.Index] + value + json[(t.Index + t.Length)..];
                break;
            }
            case 2:
            {
                int at = json.IndexOf('{') + 1;
                if (at <= 0) break;
                json = json[..at] + $"\"{m.Pick(Keys)}\":{m.Pick(Values)}," + json[at..];
                break;
            }
            case 3:
            {
                int depth = m.Chance(50) ? 1 + m.Next(70) : 1000 + m.Next(5000);
                json = json.Replace("{", "{\"kind\":" + new string('[', depth) + new string(']', depth) + ",", StringComparison.Ordinal);
                break;
            }
            case 4:
                json = m.Chance(50) ? json[..m.Next(json.Length)] : "[" + json + "]";
                break;
            default:
            {
                var text = new StringBuilder(json);
                for (int k = 1 + m.Next(3); k > 0 && text.Length > 0; k--) text[m.Next(text.Length)] = "{}[],:\"0-9e. nt\\"[m.Next(16)];
                json = text.ToString();
                break;
            }
        }
        return Encoding.UTF8.GetBytes(json);
    }
}
