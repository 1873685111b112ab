using System.Collections.Concurrent;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MoViSharp.Layers;

/// <summary>
/// Sinusoidal positional encoding over frames, added (scaled by a trainable ReZero scalar, initially 0) to pooled features
/// [B, C, T, 1, 1] (the SE input of causal A3–A5 MoViNets). For C channels, channel k &lt; C/2 is sin(p·ω_k) and channel C/2+k is
/// cos(p·ω_k), with ω_k = 1/10000^(2k/C) and p the frame's position since the stream started (state <c>count</c>, int32 [B]).
/// </summary>
public sealed class PositionalEncoding : StreamModule
{
    public const string CountName = "count";

    private readonly Parameter scale;

    public int Channels { get; }
    public Parameter Scale => scale;
    public string CountKey => StateKey(CountName);

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
            .add(arange(frames, dtype: ScalarType.Float32, device: startPositions.device).view(1, 1, frames), Scalars.One);  // [B, 1, T]
        var angles = positions.mul(Frequencies(channels, startPositions.device));                          // [B, C/2, T]
        return cat([angles.sin(), angles.cos()], 1);
    }

    private static readonly ConcurrentDictionary<(int Channels, DeviceType Type, int Index), Tensor> FrequencyCache = new();

    /// <summary>
    /// ω_k = 10000^(−2k/C) as float [1, C/2, 1], made once per channel count and device (the compiled SE asks every frame):
    /// computed in double on the host, so no scalar crosses into libtorch (see Scalars).
    /// </summary>
    private static Tensor Frequencies(int channels, Device device) => FrequencyCache.GetOrAdd((channels, device.type, device.index), _ =>
    {
        using var scope = NewDisposeScope();
        var powers = Enumerable.Range(0, channels / 2).Select(k => Math.Pow(10000.0, k * (-2.0 / channels))).ToArray();
        return tensor(powers, device: device).to_type(ScalarType.Float32).view(1, -1, 1).DetachFromDisposeScope();
    });

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        long batch = x.shape[0], frames = x.shape[2];
        Tensor start = state is not null && state.TryGet(CountKey, out var count) ? count : zeros(batch, dtype: ScalarType.Int32, device: x.device);
        var encoding = Encode(start, frames, Channels).to_type(x.dtype).unsqueeze(-1).unsqueeze(-1);
        if (state is not null)
        {
            using var advance = frames.ToScalar();
            state.Set(CountKey, start.add(advance, Scalars.One).to_type(ScalarType.Int32));
        }
        return x.add(encoding.mul(scale), Scalars.One);
    }

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        trace.AddState(new StateSpec(CountKey, [trace.BatchSize], ScalarType.Int32));
        return input;
    }
}
