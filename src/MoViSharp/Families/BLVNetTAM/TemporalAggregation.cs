using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Families.BLVNetTAM;

/// <summary>
/// bLVNet's temporal aggregation module (TAM, 3 blending frames): y_t = ReLU(prev ⊙ x_{t−1} + curr ⊙ x_t + next ⊙ x_{t+1}), one
/// weight per channel and offset (three depthwise 1×1 convs <c>prev</c>, <c>curr</c>, <c>next</c>, no bias), zeros beyond the clip.
/// That is a depthwise 3×1×1 conv with kernel [prev, curr, next]. Counted as upstream counts its three
/// convs: 3 multiply-adds per output element. Clip only (it looks one frame ahead).
/// </summary>
public sealed class TemporalAggregation : StreamModule
{
    private readonly ConvUnit prev, curr, next;

    public ConvUnit Prev => prev;
    public ConvUnit Curr => curr;
    public ConvUnit Next => next;
    public int Channels { get; }

    public TemporalAggregation(int channels) : base(nameof(TemporalAggregation))
    {
        Channels = channels;
        ConvUnit Weights() => new(channels, channels, (1, 1, 1), groups: channels, batchNorm: false, padding: (0, 0, 0));
        (prev, curr, next) = (Weights(), Weights(), Weights());
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        if (state is not null) throw new NotSupportedException(NotStreamableReason);
        // Per-channel scales and one-frame shifts (a grouped 3-D conv is slow on CPU): frame t gets prev·x_{t−1} + curr·x_t + next·x_{t+1}.
        long frames = x.shape[2];
        Tensor Scale(ConvUnit w) => w.Weight.view(1, Channels, 1, 1, 1);
        var y = x.mul(Scale(curr));
        if (frames > 1)
        {
            var zero = zeros([x.shape[0], x.shape[1], 1, x.shape[3], x.shape[4]], dtype: x.dtype, device: x.device);
            y = y.add(cat([zero, x.narrow(2, 0, frames - 1)], 2).mul(Scale(prev)))
                 .add(cat([x.narrow(2, 1, frames - 1), zero], 2).mul(Scale(next)));
        }
        return F.relu(y);
    }

    public override string NotStreamableReason =>
        $"{(Path.Length == 0 ? "a temporal aggregation module" : Path)} blends the next frame too; bLVNet-TAM runs on clips only.";

    public override TemporalProfile Temporal => new(3, 1, 1);

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        trace.AddMultiplyAdds(3 * input.ElementCount);
        return input;
    }
}
