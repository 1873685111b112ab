using System.Globalization;
using System.Text;

namespace MoViSharp.Weights.Formats;

/// <summary>
/// Parses the Python dict literal that forms a .npy header, e.g.
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c>.
/// Only the literal forms NumPy writes are accepted: strings, True/False/None, integers, tuples, lists and dicts.
/// Nothing is evaluated; anything else is a format error.
/// </summary>
internal sealed class NpyHeaderParser
{
    private readonly string text;
    private int at;

    private NpyHeaderParser(string text) => this.text = text;

    /// <summary>Parses <paramref name="text"/> as a dict; throws <see cref="FormatException"/> with the problem in words.</summary>
    public static Dictionary<string, object?> ParseDict(string text)
    {
        var parser = new NpyHeaderParser(text);
        parser.SkipSpace();
        if (parser.Peek() != '{')
            throw new FormatException($"the header is not a Python dict literal (it starts with {Describe(parser.Peek())})");
        var dict = (Dictionary<string, object?>)parser.ParseValue(depth: 0)!;
        parser.SkipSpace();
        if (parser.at != text.Length)
            throw new FormatException($"unexpected text after the header dict at offset {parser.at}");
        return dict;
    }

    private object? ParseValue(int depth)
    {
        // Bound nesting so a hostile header cannot exhaust the stack.
        if (depth > 32)
            throw new FormatException("the header nests too deeply");
        SkipSpace();
        char c = Peek();
        switch (c)
        {
            case '{': return ParseDictBody(depth);
            case '(': return ParseSequence(')', depth);
            case '[': return ParseSequence(']', depth);
            case '\'' or '"': return ParseString();
        }
        if (c == '-' || char.IsAsciiDigit(c))
            return ParseInteger();
        if (char.IsAsciiLetter(c))
        {
            string word = ReadWhile(char.IsAsciiLetterOrDigit);
            return word switch
            {
                "True" => true,
                "False" => false,
                "None" => null,
                _ => throw new FormatException($"unsupported name '{word}' in the header"),
            };
        }
        throw new FormatException($"unexpected {Describe(c)} at offset {at} of the header");
    }

    private Dictionary<string, object?> ParseDictBody(int depth)
    {
        Expect('{');
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (true)
        {
            SkipSpace();
            if (TryConsume('}'))
                return dict;
            if (ParseValue(depth + 1) is not string key)
                throw new FormatException("a header dict key is not a string");
            SkipSpace();
            Expect(':');
            object? value = ParseValue(depth + 1);
            if (!dict.TryAdd(key, value))
                throw new FormatException($"the header names '{key}' twice");
            SkipSpace();
            if (TryConsume('}'))
                return dict;
            Expect(',');
        }
    }

    private List<object?> ParseSequence(char close, int depth)
    {
        at++; // the opening bracket
        var items = new List<object?>();
        while (true)
        {
            SkipSpace();
            if (TryConsume(close))
                return items;
            items.Add(ParseValue(depth + 1));
            SkipSpace();
            if (TryConsume(close))
                return items;
            Expect(',');
        }
    }

    private string ParseString()
    {
        char quote = text[at++];
        var sb = new StringBuilder();
        while (true)
        {
            if (at >= text.Length)
                throw new FormatException("a string in the header is not closed");
            char c = text[at++];
            if (c == quote)
                return sb.ToString();
            if (c == '\\')
            {
                if (at >= text.Length)
                    throw new FormatException("a string in the header ends in a backslash");
                c = text[at++];
            }
            sb.Append(c);
        }
    }

    private long ParseInteger()
    {
        int start = at;
        if (Peek() == '-')
            at++;
        ReadWhile(char.IsAsciiDigit);
        // Python 2 era files may write shapes as 3L.
        string digits = text[start..at];
        if (Peek() is 'L' or 'l')
            at++;
        if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            throw new FormatException($"the integer '{digits}' in the header is malformed or too large");
        return value;
    }

    private string ReadWhile(Func<char, bool> predicate)
    {
        int start = at;
        while (at < text.Length && predicate(text[at]))
            at++;
        return text[start..at];
    }

    private void SkipSpace()
    {
        while (at < text.Length && char.IsWhiteSpace(text[at]))
            at++;
    }

    private char Peek() => at < text.Length ? text[at] : '\0';

    private bool TryConsume(char c)
    {
        if (Peek() != c)
            return false;
        at++;
        return true;
    }

    private void Expect(char c)
    {
        if (!TryConsume(c))
            throw new FormatException($"expected '{c}' at offset {at} of the header but found {Describe(Peek())}");
    }

    private static string Describe(char c) => c == '\0' ? "the end of the header" : $"'{c}'";
}
