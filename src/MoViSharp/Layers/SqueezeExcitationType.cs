namespace MoViSharp.Layers;

/// <summary>Which pooled context feeds the squeeze-excitation gate.</summary>
public enum SqueezeExcitationType
{
    /// <summary>Global average over time and space (base models; cumulative in causal models).</summary>
    ThreeD,
    /// <summary>Concatenation [global (cumulative when causal), per-frame spatial] — stream models.</summary>
    TwoPlusThreeD,
    /// <summary>Per-frame spatial average only.</summary>
    TwoD,
    /// <summary>No squeeze-excitation (the mobile TFLite variant).</summary>
    None,
}
