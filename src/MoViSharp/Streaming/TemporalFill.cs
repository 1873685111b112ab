namespace MoViSharp.Streaming;

/// <summary>
/// What stands for the frames before a stream's first one in a temporal buffer (continual-inference's temporal fill): zeros (the
/// clip model's zero padding), copies of the first frame ("replicate": the boring-video assumption, a shorter transient), or −∞
/// (the padding of a max pool).
/// </summary>
public enum TemporalFill
{
    Zeros,
    Replicate,
    NegativeInfinity,
}
