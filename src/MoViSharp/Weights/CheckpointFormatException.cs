namespace MoViSharp.Weights;

/// <summary>
/// A weights or array file breaks its format's rules or one of MoViSharp's bounds: a truncated section, an offset or length
/// outside the file, a count above a limit, a value of the wrong type. The message reads
/// <c>"&lt;file&gt;: &lt;what is wrong&gt;"</c> and names the field, the bound and the value found; <see cref="FileName"/> and
/// <see cref="Field"/> give the first two to code. Part of the readers' error contract (docs/fuzzing.md): every reader in
/// <c>MoViSharp.Weights</c> throws only this or <see cref="CheckpointNotSupportedException"/> for any byte sequence.
/// <see cref="InvalidDataException"/>, which the readers threw before, is sealed; this derives from its nearest open relative,
/// <see cref="IOException"/>, which the CLI and most file-handling code already catch.
/// </summary>
public class CheckpointFormatException : IOException
{
    /// <param name="problem">What is wrong; the message is "fileName: problem", or <paramref name="problem"/> alone when it already starts with the file name.</param>
    public CheckpointFormatException(string fileName, string field, string problem, Exception? innerException = null)
        : base(problem.StartsWith(fileName, StringComparison.Ordinal) ? problem : $"{fileName}: {problem}", innerException)
    {
        FileName = fileName;
        Field = field;
    }

    /// <summary>The file (or the name given for in-memory bytes) that is malformed.</summary>
    public string FileName { get; }

    /// <summary>The part of the file that breaks the rule, e.g. <c>header</c>, <c>archive/data.pkl</c>, <c>subgraph 0 tensor 12</c>.</summary>
    public string Field { get; }
}
