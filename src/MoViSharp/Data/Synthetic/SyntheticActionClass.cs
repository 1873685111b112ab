namespace MoViSharp.Data.Synthetic;

/// <summary>One class of the synthetic temporal-action benchmark.</summary>
/// <param name="Index">The label index, the line number (from 0) in labels.txt.</param>
/// <param name="Name">The folder and label name, e.g. <c>move_left</c>.</param>
/// <param name="Motion">The forward motion the clip is rendered from.</param>
/// <param name="PlayedBackwards">True when the clip is <see cref="Motion"/> rendered forwards and then played in reverse.</param>
/// <param name="ReverseIndex">
/// For temporal-order classes, the index of the class whose clips are this class's clips played backwards; null for
/// the others, whose clip distribution does not change under time reversal.
/// </param>
public sealed record SyntheticActionClass(int Index, string Name, SyntheticMotion Motion, bool PlayedBackwards, int? ReverseIndex)
{
    /// <summary>True when only temporal order separates this class from <see cref="ReverseIndex"/>.</summary>
    public bool IsTemporalOrder => ReverseIndex is not null;

    /// <summary>
    /// The class whose random stream renders this class's clips: the forward member of a temporal-order pair, so that
    /// clip <c>i</c> of a backwards class is exactly clip <c>i</c> of its partner reversed.
    /// </summary>
    public int SceneIndex => PlayedBackwards ? ReverseIndex!.Value : Index;
}
