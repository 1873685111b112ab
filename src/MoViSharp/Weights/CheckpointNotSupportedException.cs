namespace MoViSharp.Weights;

/// <summary>
/// A weights or array file is well formed, but holds something MoViSharp does not read: an element type, byte order,
/// pickle protocol, TorchScript archive or compression it has no support for. The message reads
/// <c>"&lt;file&gt;: &lt;what is not supported&gt;"</c> and says what is. Part of the readers' error contract (docs/fuzzing.md),
/// beside <see cref="CheckpointFormatException"/>. Derives from <see cref="NotSupportedException"/>.
/// </summary>
public class CheckpointNotSupportedException : NotSupportedException
{
    /// <param name="problem">What is wrong; the message is "fileName: problem", or <paramref name="problem"/> alone when it already starts with the file name.</param>
    public CheckpointNotSupportedException(string fileName, string field, string problem, Exception? innerException = null)
        : base(problem.StartsWith(fileName, StringComparison.Ordinal) ? problem : $"{fileName}: {problem}", innerException)
    {
        FileName = fileName;
        Field = field;
    }

    /// <summary>The file (or the name given for in-memory bytes).</summary>
    public string FileName { get; }

    /// <summary>The part of the file that holds the unsupported content, e.g. <c>dtype</c>, <c>byteorder</c>.</summary>
    public string Field { get; }
}
