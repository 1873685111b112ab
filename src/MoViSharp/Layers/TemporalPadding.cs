namespace MoViSharp.Layers;

/// <summary>How a temporal kernel sees the time axis.</summary>
public enum TemporalPadding
{
    /// <summary>TF "same": centred, looks at future frames (base models).</summary>
    Same,
    /// <summary>Only past and present frames: (k−1) frames before, none after; in streaming they come from the stream buffer.</summary>
    Causal,
}
