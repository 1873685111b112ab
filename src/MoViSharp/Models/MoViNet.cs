using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MoViSharp.Models;

/// <summary>
/// A MoViNet built from a <see cref="MoViNetConfig"/>: stem → bottleneck stages → head 1×1×1 conv → global (cumulative when
/// causal) average pool → classifier. Input clips are [B, 3, T, H, W], RGB in [0, 1].
/// <para>
/// A causal model answers three calls with one semantics (each gives the logits after every frame):
/// <see cref="Forward(Tensor, StreamState?)"/> on a whole clip, <see cref="ForwardStep"/> on one frame and
/// <see cref="ForwardSteps"/> on several frames, the last two continuing an explicit <see cref="StreamState"/>.
/// </para>
/// </summary>
public sealed class MoViNet : nn.Module<Tensor, Tensor>
{
    private readonly ConvUnit stem;
    private readonly ModuleDict<MobileBottleneck> blocks;
    private readonly ConvUnit head;
    private readonly ClassifierHead classifier;
    private readonly List<MobileBottleneck> layers = [];

    public MoViNetConfig Config { get; }
    public ConvUnit Stem => stem;
    public IReadOnlyList<MobileBottleneck> Layers => layers;
    public ConvUnit Head => head;
    public ClassifierHead Classifier => classifier;

    public MoViNet(MoViNetConfig config) : base($"MoViNet-{config.Id}")
    {
        Config = config;
        var execution = config.ConvType == ConvType.TwoPlusOneD ? ConvExecution.Conv2dOnFrames : ConvExecution.Conv3d;
        double eps = config.BatchNormEpsilon, momentum = config.BatchNormMomentum;
        stem = new ConvUnit(3, config.StemChannels, (1, 3, 3), 2, activation: config.Activation, execution: execution,
            batchNormEpsilon: eps, batchNormMomentum: momentum);

        var named = new List<(string, MobileBottleneck)>();
        int channels = config.StemChannels, index = 0;
        for (int b = 0; b < config.Stages.Count; b++)
        {
            var stage = config.Stages[b];
            for (int l = 0; l < stage.Layers.Count; l++)
            {
                var spec = stage.Layers[l];
                index++;
                var layer = new MobileBottleneck(new BottleneckOptions(
                    channels, stage.OutChannels, spec.ExpandChannels, (spec.KernelTime, spec.KernelSize), l == 0 ? stage.Stride : 1,
                    config.ConvType, config.SeType, config.Activation, config.Gate, config.Causal, config.PositionalEncoding,
                    config.ReZero, config.StochasticDepthRate * index / config.LayerCount, StateNames.LayerPrefix(b, l), eps, momentum));
                named.Add(($"b{b}_l{l}", layer));
                layers.Add(layer);
                channels = stage.OutChannels;
            }
        }
        blocks = nn.ModuleDict(named.ToArray());
        head = new ConvUnit(channels, config.HeadChannels, (1, 1, 1), activation: config.Activation, execution: execution,
            batchNormEpsilon: eps, batchNormMomentum: momentum);
        classifier = new ClassifierHead(config.HeadChannels, config.HiddenChannels, config.NumClasses, config.ClassifierActivation,
            config.DropoutRate, execution);
        RegisterComponents();
    }

    /// <summary>The clip's logits [B, classes]; for a causal model, those after its last frame.</summary>
    public override Tensor forward(Tensor clip) => Forward(clip, null).select(1, -1);

    /// <summary>
    /// Runs a clip [B, 3, T, H, W]. Causal models return the logits after every frame [B, T, classes], continuing
    /// <paramref name="state"/> when given (and updating it) or starting empty when null; base models return [B, 1, classes].
    /// </summary>
    public Tensor Forward(Tensor clip, StreamState? state)
    {
        ValidateClip(clip, state);
        if (state is not null && !Config.Causal)
            throw new InvalidOperationException($"{Config.Id} is not causal and has no stream state; use a stream model.");
        var x = stem.Forward(clip, state);
        foreach (var layer in layers) x = layer.Forward(x, state);
        x = head.Forward(x, state);
        var pooled = Config.Causal ? CumulativeAveragePool.Causal(x, state, StateNames.HeadPrefix) : CumulativeAveragePool.Global(x);
        var logits = classifier.Forward(pooled, state);                 // [B, K, T, 1, 1]
        return logits.flatten(2).transpose(1, 2);                         // [B, T, K]
    }

    /// <summary>One frame [B, 3, H, W] (or [B, 3, 1, H, W]) → logits [B, classes] after it; updates <paramref name="state"/>.</summary>
    public Tensor ForwardStep(Tensor frame, StreamState state)
    {
        var clip = frame.dim() == 4 ? frame.unsqueeze(2) : frame;
        if (clip.dim() != 5 || clip.shape[2] != 1)
            throw new ArgumentException($"ForwardStep takes one frame [B, 3, H, W], got [{string.Join(", ", frame.shape)}].");
        return Forward(clip, state).select(1, 0);
    }

    /// <summary>Several frames [B, 3, T, H, W] → logits after each [B, T, classes]; updates <paramref name="state"/>.</summary>
    public Tensor ForwardSteps(Tensor frames, StreamState state) => Forward(frames, state);

    /// <summary>The zero state for <paramref name="batch"/> streams of <paramref name="height"/>×<paramref name="width"/> frames.</summary>
    public StreamState InitialState(int batch = 1, int? height = null, int? width = null) =>
        StreamState.Zeros(StateSpecs(batch, height ?? Config.NativeSize, width ?? Config.NativeSize), batch);

    /// <summary>The state tensors (official names and shapes), without running the model.</summary>
    public IReadOnlyList<StateSpec> StateSpecs(int batch, int height, int width) =>
        Config.Causal ? Trace(1, height, width, batch).States : [];

    /// <summary>Multiply-adds and state of a clip of <paramref name="frames"/> × <paramref name="height"/> × <paramref name="width"/>.</summary>
    public ModelTrace Trace(int frames, int height, int width, int batch = 1)
    {
        var trace = new ModelTrace(batch);
        var shape = stem.Trace(new VideoShape(3, frames, height, width), trace);
        foreach (var layer in layers) shape = layer.Trace(shape, trace);
        shape = head.Trace(shape, trace);
        if (Config.Causal) CumulativeAveragePool.TraceState(StateNames.HeadPrefix, shape.Channels, trace);
        classifier.Trace(new VideoShape(shape.Channels, Config.Causal ? shape.Frames : 1, 1, 1), trace);
        return trace;
    }

    /// <summary>Trainable parameters (BatchNorm running statistics are buffers and not counted).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    private void ValidateClip(Tensor clip, StreamState? state)
    {
        if (clip.dim() != 5 || clip.shape[1] != 3)
            throw new ArgumentException($"{Config.Id} expects clips [B, 3, T, H, W], got [{string.Join(", ", clip.shape)}].");
        if (clip.shape[2] < 1) throw new ArgumentException($"{Config.Id} needs at least one frame.");
        if (state is not null && state.BatchSize != clip.shape[0])
            throw new ArgumentException($"The stream state holds {state.BatchSize} streams but the clip has batch {clip.shape[0]}.");
    }
}
