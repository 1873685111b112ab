using MoViSharp.Profiling;
using MoViSharp.Streaming;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Layers;

/// <summary>
/// Convolution → optional BatchNorm → activation, the brick every family is built from. Weights are always stored 5-D
/// [C_out, C_in/groups, k_t, k_h, k_w] (so `3d_2plus1d` and `2plus1d` MoViNets share checkpoints; <see cref="ConvExecution"/>
/// only changes how the kernel runs). Spatial padding is TF "same" (pre-padded when asymmetric) unless an explicit, PyTorch-style
/// symmetric <c>padding</c> is given. Along time the kernel is causal (k_t−1 frames before, from the <see cref="StreamBuffer"/>
/// in many-step calls), TF "same", or explicit; a non-causal kernel streams with delay k_t−1−p (the frames it looks ahead).
/// </summary>
public sealed class ConvUnit : StreamModule
{
    private readonly Parameter weight;
    private Parameter? bias;
    private readonly BatchNorm3d? bn;
    private readonly StreamBuffer? buffer;
    private bool normFolded;

    public int InChannels { get; }
    public int OutChannels { get; }
    public (int Time, int Height, int Width) Kernel { get; }
    public int SpatialStride { get; }
    public int TemporalStride { get; }
    public int Groups { get; }
    public TemporalPadding TemporalPadding { get; }
    /// <summary>Explicit symmetric padding (PyTorch convention); null means TF "same" (time: unless causal).</summary>
    public (int Time, int Height, int Width)? ExplicitPadding { get; }
    public ActivationKind Activation { get; }
    public ConvExecution Execution { get; }

    public Parameter Weight => weight;
    public Parameter? Bias => bias;
    /// <summary>The BatchNorm, or null (none, or folded into weight and bias by the compiler).</summary>
    public BatchNorm3d? Norm => normFolded ? null : bn;
    /// <summary>The stream buffer of a temporal kernel (k_t &gt; 1), or null.</summary>
    public StreamBuffer? Buffer => buffer;

    public ConvUnit(
        int inChannels, int outChannels, (int Time, int Height, int Width) kernel, int spatialStride = 1, int groups = 1,
        bool useBias = false, bool batchNorm = true, ActivationKind activation = ActivationKind.Identity,
        TemporalPadding temporalPadding = TemporalPadding.Same, ConvExecution execution = ConvExecution.Conv3d,
        double batchNormEpsilon = 1e-3, double batchNormMomentum = 0.01, int temporalStride = 1,
        (int Time, int Height, int Width)? padding = null)
        : base(nameof(ConvUnit))
    {
        if (execution == ConvExecution.Conv2dOnFrames && kernel.Time > 1 && (kernel.Height > 1 || kernel.Width > 1))
            throw new ArgumentException("Frame-wise 2-D execution needs a factorised kernel: spatial (1,k,k) or temporal (k_t,1,1).");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Channels {inChannels}→{outChannels} are not divisible by {groups} groups.");
        if (spatialStride < 1 || temporalStride < 1) throw new ArgumentException("Strides must be positive.");
        InChannels = inChannels; OutChannels = outChannels; Kernel = kernel; SpatialStride = spatialStride; Groups = groups;
        TemporalStride = temporalStride; TemporalPadding = temporalPadding; ExplicitPadding = padding;
        Activation = activation; Execution = execution;

        weight = new Parameter(empty([outChannels, inChannels / groups, kernel.Time, kernel.Height, kernel.Width]));
        nn.init.kaiming_normal_(weight, mode: nn.init.FanInOut.FanIn, nonlinearity: nn.init.NonlinearityType.ReLU);
        if (useBias) bias = new Parameter(zeros(outChannels));
        if (batchNorm) bn = nn.BatchNorm3d(outChannels, eps: batchNormEpsilon, momentum: batchNormMomentum);
        if (kernel.Time > 1) buffer = new StreamBuffer(kernel.Time - 1);
        RegisterComponents();
    }

    /// <summary>Frames of temporal padding before and after a clip of <paramref name="frames"/> frames.</summary>
    public (int Before, int After) TimePadding(long frames) =>
        TemporalPadding == TemporalPadding.Causal ? (Kernel.Time - 1, 0)
        : ExplicitPadding is { } p ? (p.Time, p.Time)
        : SamePadding.For(frames, Kernel.Time, TemporalStride);

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        var input = x;
        if (Kernel.Time > 1)
        {
            if (state is not null)
            {
                if (TemporalStride > 1)
                    throw new NotSupportedException($"{Path}: a temporal stride of {TemporalStride} cannot run frame by frame yet.");
                input = buffer!.Forward(x, state);
            }
            else if (TemporalPadding == TemporalPadding.Causal) input = buffer!.Forward(x, null);
            else
            {
                var (before, after) = TimePadding(x.shape[2]);
                if (before + after > 0) input = F.pad(x, [0, 0, 0, 0, before, after]);
            }
        }
        else if (TemporalStride > 1 && state is not null)
            throw new NotSupportedException($"{Path}: a temporal stride of {TemporalStride} cannot run frame by frame yet.");

        long padH, padW;
        if (ExplicitPadding is { } explicitPadding) (padH, padW) = (explicitPadding.Height, explicitPadding.Width);
        else
        {
            var (top, bottom) = SamePadding.For(input.shape[3], Kernel.Height, SpatialStride);
            var (left, right) = SamePadding.For(input.shape[4], Kernel.Width, SpatialStride);
            (padH, padW) = (0, 0);
            if (top == bottom && left == right) (padH, padW) = (top, left);
            else input = F.pad(input, [left, right, top, bottom]);
        }

        var y = Execution == ConvExecution.Conv3d
            ? F.conv3d(input, weight, bias, strides: [TemporalStride, SpatialStride, SpatialStride], padding: [0, padH, padW], groups: Groups)
            : ConvOnFrames(input, padH, padW);
        if (bn is not null && !normFolded) y = BatchNormForward.Apply(bn, y);
        return Activation == ActivationKind.Identity ? y : Activations.Apply(y, Activation);
    }

    private Tensor ConvOnFrames(Tensor input, long padH, long padW)
    {
        long batch = input.shape[0], channels = input.shape[1], frames = input.shape[2];
        if (Kernel.Time > 1)
        {
            // Temporal (k_t,1) kernel over [B, C, T, H·W]: a view, no copy.
            var flat = input.reshape(batch, channels, frames, input.shape[3] * input.shape[4]);
            var y = F.conv2d(flat, weight.squeeze(-1), bias, strides: [TemporalStride, 1], groups: Groups);
            return y.view(batch, OutChannels, y.shape[2], input.shape[3], input.shape[4]);
        }
        if (TemporalStride > 1) input = input.slice(2, 0, frames, TemporalStride);
        frames = input.shape[2];
        var kernel2d = weight.squeeze(2);
        if (frames == 1)
            return F.conv2d(input.squeeze(2), kernel2d, bias, strides: [SpatialStride, SpatialStride], padding: [padH, padW], groups: Groups).unsqueeze(2);
        var framesAsBatch = input.transpose(1, 2).reshape(batch * frames, channels, input.shape[3], input.shape[4]);
        var z = F.conv2d(framesAsBatch, kernel2d, bias, strides: [SpatialStride, SpatialStride], padding: [padH, padW], groups: Groups);
        return z.view(batch, frames, OutChannels, z.shape[2], z.shape[3]).transpose(1, 2);
    }

    public override TemporalProfile Temporal
    {
        get
        {
            int before = Kernel.Time == 1 ? 0 : TimePadding(Kernel.Time).Before;
            return new TemporalProfile(Kernel.Time, Kernel.Time - 1 - before, TemporalStride);
        }
    }

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        var (before, after) = Kernel.Time == 1 ? (0, 0) : TimePadding(input.Frames);
        long frames = (input.Frames + before + after - Kernel.Time) / TemporalStride + 1;
        long height = ExplicitPadding is { } p ? (input.Height + 2L * p.Height - Kernel.Height) / SpatialStride + 1 : SamePadding.OutputSize(input.Height, SpatialStride);
        long width = ExplicitPadding is { } q ? (input.Width + 2L * q.Width - Kernel.Width) / SpatialStride + 1 : SamePadding.OutputSize(input.Width, SpatialStride);
        var output = new VideoShape(OutChannels, frames, height, width);
        trace.AddMultiplyAdds(output.ElementCount * (InChannels / Groups) * Kernel.Time * Kernel.Height * Kernel.Width);
        buffer?.Trace(input, trace);
        return output;
    }

    /// <summary>
    /// Replaces weight and bias by BatchNorm-folded ones and stops applying the BatchNorm (the compiler's clip form; the unit
    /// then computes conv → activation with the same numbers up to float rounding).
    /// </summary>
    internal void AbsorbBatchNorm(Tensor foldedWeight, Tensor foldedBias)
    {
        using var _ = no_grad();
        weight.copy_(foldedWeight);
        if (bias is null)
        {
            bias = new Parameter(foldedBias.clone().DetachFromDisposeScope());
            register_parameter("bias", bias);
        }
        else bias.copy_(foldedBias);
        normFolded = true;
    }
}
