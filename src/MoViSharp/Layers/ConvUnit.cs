using MoViSharp.Profiling;
using MoViSharp.Streaming;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Layers;

/// <summary>
/// Convolution → optional BatchNorm → activation, the building brick of every MoViNet layer. Spatial padding is TF "same"
/// (pre-padded when asymmetric); temporal padding is TF "same" or causal with a stream buffer. Weights are always stored as
/// 5-D [C_out, C_in/groups, k_t, k_h, k_w], so `3d_2plus1d` and `2plus1d` models share checkpoints.
/// </summary>
public sealed class ConvUnit : VideoLayer
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly BatchNorm3d? bn;

    public int InChannels { get; }
    public int OutChannels { get; }
    public (int Time, int Height, int Width) Kernel { get; }
    public int SpatialStride { get; }
    public int Groups { get; }
    public TemporalPadding TemporalPadding { get; }
    public ActivationKind Activation { get; }
    public ConvExecution Execution { get; }
    /// <summary>State name of the stream buffer (causal layers with k_t &gt; 1), or null.</summary>
    public string? BufferName { get; }

    public Parameter Weight => weight;
    public Parameter? Bias => bias;
    public BatchNorm3d? Norm => bn;

    public ConvUnit(
        int inChannels, int outChannels, (int Time, int Height, int Width) kernel, int spatialStride = 1, int groups = 1,
        bool useBias = false, bool batchNorm = true, ActivationKind activation = ActivationKind.Identity,
        TemporalPadding temporalPadding = TemporalPadding.Same, ConvExecution execution = ConvExecution.Conv3d,
        string? bufferName = null, double batchNormEpsilon = 1e-3, double batchNormMomentum = 0.01)
        : base(nameof(ConvUnit))
    {
        if (execution == ConvExecution.Conv2dOnFrames && kernel.Time > 1 && (kernel.Height > 1 || kernel.Width > 1))
            throw new ArgumentException("Frame-wise 2-D execution needs a factorised kernel: spatial (1,k,k) or temporal (k_t,1,1).");
        if (temporalPadding == TemporalPadding.Causal && kernel.Time > 1 && bufferName is null)
            throw new ArgumentException("A causal temporal convolution needs a state name for its stream buffer.");
        InChannels = inChannels; OutChannels = outChannels; Kernel = kernel; SpatialStride = spatialStride; Groups = groups;
        TemporalPadding = temporalPadding; Activation = activation; Execution = execution;
        BufferName = temporalPadding == TemporalPadding.Causal && kernel.Time > 1 ? bufferName : null;

        weight = new Parameter(empty([outChannels, inChannels / groups, kernel.Time, kernel.Height, kernel.Width]));
        nn.init.kaiming_normal_(weight, mode: nn.init.FanInOut.FanIn, nonlinearity: nn.init.NonlinearityType.ReLU);
        if (useBias) bias = new Parameter(zeros(outChannels));
        if (batchNorm) bn = nn.BatchNorm3d(outChannels, eps: batchNormEpsilon, momentum: batchNormMomentum);
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        var input = x;
        if (Kernel.Time > 1)
        {
            if (TemporalPadding == TemporalPadding.Causal) input = StreamBuffer.Prepend(x, Kernel.Time - 1, state, BufferName!);
            else
            {
                var (before, after) = SamePadding.For(x.shape[2], Kernel.Time, 1);
                input = F.pad(x, [0, 0, 0, 0, before, after]);
            }
        }

        var (top, bottom) = SamePadding.For(input.shape[3], Kernel.Height, SpatialStride);
        var (left, right) = SamePadding.For(input.shape[4], Kernel.Width, SpatialStride);
        long padH = 0, padW = 0;
        if (top == bottom && left == right) { padH = top; padW = left; }
        else input = F.pad(input, [left, right, top, bottom]);

        var y = Execution == ConvExecution.Conv3d
            ? F.conv3d(input, weight, bias, strides: [1, SpatialStride, SpatialStride], padding: [0, padH, padW], groups: Groups)
            : ConvOnFrames(input, padH, padW);
        if (bn is not null) y = bn.forward(y);
        return Activation == ActivationKind.Identity ? y : Activations.Apply(y, Activation);
    }

    private Tensor ConvOnFrames(Tensor input, long padH, long padW)
    {
        long batch = input.shape[0], channels = input.shape[1], frames = input.shape[2];
        if (Kernel.Time > 1)
        {
            // Temporal (k_t,1) kernel over [B, C, T, H·W]: a view, no copy.
            var flat = input.reshape(batch, channels, frames, input.shape[3] * input.shape[4]);
            var y = F.conv2d(flat, weight.squeeze(-1), bias, groups: Groups);
            return y.view(batch, OutChannels, y.shape[2], input.shape[3], input.shape[4]);
        }
        var kernel2d = weight.squeeze(2);
        if (frames == 1)
            return F.conv2d(input.squeeze(2), kernel2d, bias, strides: [SpatialStride, SpatialStride], padding: [padH, padW], groups: Groups).unsqueeze(2);
        var framesAsBatch = input.transpose(1, 2).reshape(batch * frames, channels, input.shape[3], input.shape[4]);
        var z = F.conv2d(framesAsBatch, kernel2d, bias, strides: [SpatialStride, SpatialStride], padding: [padH, padW], groups: Groups);
        return z.view(batch, frames, OutChannels, z.shape[2], z.shape[3]).transpose(1, 2);
    }

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        var output = new VideoShape(OutChannels, input.Frames,
            SamePadding.OutputSize(input.Height, SpatialStride), SamePadding.OutputSize(input.Width, SpatialStride));
        trace.AddMultiplyAdds(output.ElementCount * (InChannels / Groups) * Kernel.Time * Kernel.Height * Kernel.Width);
        if (BufferName is not null)
            trace.AddState(new StateSpec(BufferName, [trace.BatchSize, Kernel.Time - 1, input.Height, input.Width, InChannels], ScalarType.Float32));
        return output;
    }
}
