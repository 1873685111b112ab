namespace MoViSharp.Streaming;

/// <summary>The official MoViNet state names (TF Model Garden, TFLite signatures).</summary>
public static class StateNames
{
    public static string LayerPrefix(int block, int layer) => $"state_block{block}_layer{layer}";
    public const string HeadPrefix = "state_head";

    public static string StreamBuffer(string prefix) => $"{prefix}_stream_buffer";
    public static string PoolBuffer(string prefix) => $"{prefix}_pool_buffer";
    public static string PoolFrameCount(string prefix) => $"{prefix}_pool_frame_count";
    public static string PositionalEncodingFrameCount(string prefix) => $"{prefix}_pos_enc_frame_count";
}
