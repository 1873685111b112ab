using MoViSharp.Profiling;
using MoViSharp.Streaming;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MoViSharp.Layers;

/// <summary>
/// Sinusoidal positional encoding over frames, added (scaled by a trainable ReZero scalar, initially 0) to the pooled SE input
/// of causal A3–A5 models. For C channels, channel k &lt; C/2 is sin(p·ω_k) and channel C/2+k is cos(p·ω_k), with
/// ω_k = 1/10000^(2k/C) and p the frame's position since reset (state <c>_pos_enc_frame_count</c>).
/// </summary>
public sealed class PositionalEncoding : nn.Module
{
    private readonly Parameter scale;

    public int Channels { get; }
    public Parameter Scale => scale;

    public PositionalEncoding(int channels) : base(nameof(PositionalEncoding))
    {
        if (channels % 2 != 0) throw new ArgumentException("Positional encoding needs an even channel count.", nameof(channels));
        Channels = channels;
        scale = new Parameter(zeros(Array.Empty<long>()));
        RegisterComponents();
    }

    /// <summary>The encoding [B, C, T] for positions start[b] + t.</summary>
    public static Tensor Encode(Tensor startPositions, long frames, int channels)
    {
        var positions = startPositions.to_type(ScalarType.Float32).view(-1, 1, 1)
            .add(arange(frames, dtype: ScalarType.Float32).view(1, 1, frames));                       // [B, 1, T]
        var k = arange(channels / 2, dtype: ScalarType.Float64);
        var frequencies = pow(10000.0, k.mul(-2.0 / channels)).to_type(ScalarType.Float32).view(1, -1, 1); // [1, C/2, 1]
        var angles = positions.mul(frequencies);                                                          // [B, C/2, T]
        return cat([angles.sin(), angles.cos()], 1);
    }

    /// <summary>x [B, C, T, 1, 1] + scale · encoding.</summary>
    public Tensor Forward(Tensor x, StreamState? state, string prefix)
    {
        long batch = x.shape[0], frames = x.shape[2];
        string countName = StateNames.PositionalEncodingFrameCount(prefix);
        Tensor start = state is not null && state.TryGet(countName, out var count) ? count : zeros(batch, dtype: ScalarType.Int32);
        var encoding = Encode(start, frames, Channels).to_type(x.dtype).unsqueeze(-1).unsqueeze(-1);
        if (state is not null) state.Set(countName, start.add(frames).to_type(ScalarType.Int32));
        return x.add(encoding.mul(scale));
    }

    public static void TraceState(string prefix, ModelTrace trace) =>
        trace.AddState(new StateSpec(StateNames.PositionalEncodingFrameCount(prefix), [trace.BatchSize], ScalarType.Int32));
}
