namespace MoViSharp.Onnx.Export;

/// <summary>Which graph of a model is exported.</summary>
public enum OnnxExportForm
{
    /// <summary>The clip call: [B, 3, T, H, W] → logits [B, P, K] (P = 1 for clip models, one row per frame for stream models).</summary>
    Clip,
    /// <summary>One frame [B, 3, H, W] and every state tensor in → logits [B, K] and every new state tensor out (the plain form).</summary>
    StreamPlain,
    /// <summary>One frame in; each temporal buffer of n frames enters as n frames [B, C, H, W] and only the new frame comes out
    /// (the host keeps the ring, so no slice or concatenation copies the buffer each step); pools' sums and counts as in the plain form.</summary>
    StreamRing,
}
