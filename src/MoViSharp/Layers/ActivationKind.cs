namespace MoViSharp.Layers;

/// <summary>Backbone and classifier activations of the MoViNet family.</summary>
public enum ActivationKind
{
    /// <summary>x·sigmoid(x): base models.</summary>
    Swish,
    /// <summary>x·relu6(x+3)/6: stream models.</summary>
    HardSwish,
    /// <summary>min(max(x,0),6): the mobile (TFLite) variant.</summary>
    Relu6,
    /// <summary>No activation (projections, skip paths).</summary>
    Identity,
    /// <summary>max(x, 0): ResNet-style families (X3D, R(2+1)D, TSM, C3D).</summary>
    Relu,
    /// <summary>1/(1+e^−x).</summary>
    Sigmoid,
    /// <summary>x·Φ(x), the exact (erf) form: transformer MLPs (MViT).</summary>
    Gelu,
}

/// <summary>The squeeze-excitation gate.</summary>
public enum GateKind
{
    /// <summary>sigmoid(x): base models.</summary>
    Sigmoid,
    /// <summary>clip(0.2x + 0.5, 0, 1), the old Keras hard sigmoid: what the released stream checkpoints (and the PyTorch port) need.</summary>
    HardSigmoidKeras,
    /// <summary>relu6(x + 3)/6, TF Model Garden's hard_sigmoid.</summary>
    HardSigmoidRelu6,
}
