namespace MoViSharp.Layers;

/// <summary>Which frames a <see cref="TemporalShift"/> mixes into the current one (Lin, Gan, Han, ICCV 2019).</summary>
public enum TemporalShiftMode
{
    /// <summary>
    /// The offline shift: channels [0, c/d) come from the next frame, [c/d, 2c/d) from the previous one, the rest stay; zeros
    /// beyond the clip. Non-causal: streams with a delay of one frame.
    /// </summary>
    Bidirectional,
    /// <summary>
    /// The online shift: channels [0, c/d) are replaced by the previous frame's (a one-frame cache, zeros before the first),
    /// the rest stay. Causal: the clip call and frame-by-frame steps give the same frames.
    /// </summary>
    Online,
}
