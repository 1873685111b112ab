using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Layers;

/// <summary>
/// The depthwise feature convolution of a bottleneck. A k_t×k×k kernel is either one 3-D convolution (<c>conv</c>) or,
/// factorised, a spatial 1×k×k (<c>spatial</c>) followed by a temporal k_t×1×1 (<c>temporal</c>), each with its own BN and
/// activation. Kernels with k_t = 1 are never factorised. The stream buffer sits before the 3-D kernel (pre-stride) or between
/// the spatial and temporal parts (post-stride), as in TF.
/// </summary>
public sealed class DepthwiseFeature : VideoLayer
{
    private readonly ConvUnit? conv;
    private readonly ConvUnit? spatial;
    private readonly ConvUnit? temporal;

    public ConvUnit? Conv => conv;
    public ConvUnit? Spatial => spatial;
    public ConvUnit? Temporal => temporal;

    public DepthwiseFeature(int channels, (int Time, int Size) kernel, int stride, ConvType convType, ActivationKind activation,
        TemporalPadding temporalPadding, string bufferName, double eps, double momentum) : base(nameof(DepthwiseFeature))
    {
        var execution = convType == ConvType.TwoPlusOneD ? ConvExecution.Conv2dOnFrames : ConvExecution.Conv3d;
        if (convType == ConvType.ThreeD || kernel.Time == 1)
        {
            conv = new ConvUnit(channels, channels, (kernel.Time, kernel.Size, kernel.Size), stride, groups: channels,
                activation: activation, temporalPadding: temporalPadding, execution: execution, bufferName: bufferName,
                batchNormEpsilon: eps, batchNormMomentum: momentum);
        }
        else
        {
            spatial = new ConvUnit(channels, channels, (1, kernel.Size, kernel.Size), stride, groups: channels,
                activation: activation, execution: execution, batchNormEpsilon: eps, batchNormMomentum: momentum);
            temporal = new ConvUnit(channels, channels, (kernel.Time, 1, 1), 1, groups: channels,
                activation: activation, temporalPadding: temporalPadding, execution: execution, bufferName: bufferName,
                batchNormEpsilon: eps, batchNormMomentum: momentum);
        }
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, StreamState? state) =>
        conv is not null ? conv.Forward(x, state) : temporal!.Forward(spatial!.Forward(x, state), state);

    public override VideoShape Trace(VideoShape input, ModelTrace trace) =>
        conv is not null ? conv.Trace(input, trace) : temporal!.Trace(spatial!.Trace(input, trace), trace);
}
