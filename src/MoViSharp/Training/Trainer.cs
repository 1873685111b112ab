using MoViSharp.Classification;
using MoViSharp.IO;
using MoViSharp.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MoViSharp.Training;

/// <summary>
/// Optimises a <see cref="VideoModel"/> of any family: AdamW or RMSprop over its parameters (weight decay on conv weights only), the warm-up + cosine
/// learning rate set before every step, label-smoothed loss (<see cref="ClipObjective"/>), global-norm gradient clipping.
/// Each step runs in its own dispose scope. <see cref="SaveOptimizer"/>/<see cref="LoadOptimizer"/> keep the moment buffers for resuming.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly OptimizerHelper optimizer;
    private readonly List<Parameter> parameters;

    public VideoModel Model { get; }
    public TrainingOptions Options { get; }
    public WarmupCosineSchedule Schedule { get; }
    /// <summary>Optimizer steps taken (the schedule's position).</summary>
    public int Step { get; set; }

    public Trainer(VideoModel model, TrainingOptions options, int totalSteps)
    {
        if (options.StreamBufferFrames is not null && (!model.Streamable || model.Temporal.Delay != 0))
            throw new ArgumentException($"Stream-buffer training needs a causal (stream) model; {model.Config.Id} is not.");
        Model = model;
        Options = options;
        Schedule = new WarmupCosineSchedule(options.LearningRate, options.WarmupSteps, totalSteps);
        parameters = TrainedParameters(model, options.FreezeBackbone);
        // Decay only multi-dimensional weights: decaying BN scales, biases and ReZero/PE scalars only hurts small models.
        var decay = parameters.Where(p => p.dim() > 1).ToList();
        var rest = parameters.Where(p => p.dim() <= 1).ToList();
        optimizer = options.Optimizer switch
        {
            OptimizerKind.AdamW => new HeldScalarAdamW(
            [
                new AdamW.ParamGroup { Parameters = decay, Options = new AdamW.Options { weight_decay = options.WeightDecay } },
                new AdamW.ParamGroup { Parameters = rest, Options = new AdamW.Options { weight_decay = 0 } },
            ], options.LearningRate),
            OptimizerKind.RmsProp => torch.optim.RMSProp(
            [
                new RMSProp.ParamGroup { Parameters = decay, Options = new RMSProp.Options { weight_decay = options.WeightDecay } },
                new RMSProp.ParamGroup { Parameters = rest, Options = new RMSProp.Options { weight_decay = 0 } },
            ], options.LearningRate, alpha: options.RmsRho, eps: options.RmsEpsilon, momentum: options.RmsMomentum),
            _ => throw new ArgumentOutOfRangeException(nameof(options), $"Unknown optimizer {options.Optimizer}."),
        };
    }

    public double CurrentLearningRate => Schedule.At(Step);

    /// <summary>Every parameter, or with a frozen backbone only the last part's (the head); the others stop taking gradients.</summary>
    private static List<Parameter> TrainedParameters(VideoModel model, bool freezeBackbone)
    {
        if (!freezeBackbone) return model.parameters().ToList();
        var head = model.Items[^1].Module.parameters().ToList();
        var trained = head.Select(p => p.Handle).ToHashSet();
        foreach (var p in model.parameters()) p.requires_grad = trained.Contains(p.Handle);
        return head;
    }

    /// <summary>One optimizer step on a batch of clips [B, 3, T, H, W] and labels [B].</summary>
    public StepResult TrainStep(Tensor clips, Tensor labels)
    {
        using var scope = NewDisposeScope();
        Model.train();
        // A frozen backbone is a fixed feature extractor: its batch norms keep their running statistics and its dropout is off.
        if (Options.FreezeBackbone)
            foreach (var item in Model.Items.Take(Model.Items.Count - 1)) item.Module.eval();
        double lr = Schedule.At(Step);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
        optimizer.zero_grad();
        var input = Normalization.Apply(clips, Model.Config.Preprocessing);   // loaders give RGB in [0, 1]
        var (loss, logits) = ClipObjective.Backward(Model, input, labels, Options.LabelSmoothing, Options.StreamBufferFrames);
        if (!double.IsFinite(loss))
            throw new InvalidOperationException($"The loss became {loss} at step {Step}; lower the learning rate (now {lr:G3}) or enable --clip-grad.");
        if (Options.ClipGradNorm > 0) torch.nn.utils.clip_grad_norm_(parameters, Options.ClipGradNorm);
        optimizer.step();
        Step++;
        int correct = (int)logits.argmax(1).eq(labels).sum().item<long>();
        return new StepResult(loss, correct, (int)labels.shape[0], lr);
    }

    /// <summary>Writes the optimizer state (TorchSharp's format: type name, options and moment buffers per parameter) atomically.</summary>
    public void SaveOptimizer(string path) => AtomicFile.Write(path, stream =>
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        if (optimizer is RMSProp) SaveRmsProp(writer);
        else optimizer.save_state_dict(writer);
    });

    // TorchSharp 0.107's RMSProp state loader does not restore the momentum buffer (a resumed step then differs), so its
    // buffers are written here directly: per parameter, the step and the three moment tensors.
    private const string RmsPropTag = "MoViSharp.RMSProp/1";

    private void SaveRmsProp(BinaryWriter writer)
    {
        writer.Write(RmsPropTag);
        var states = optimizer.state_dict().State.Cast<RMSProp.State>().ToList();
        writer.Write(states.Count);
        foreach (var state in states)
        {
            writer.Write(state.step);
            state.square_avg.Save(writer);
            state.momentum_buffer.Save(writer);
            state.grad_avg.Save(writer);
        }
    }

    private void LoadRmsProp(BinaryReader reader, string path)
    {
        if (reader.ReadString() != RmsPropTag) throw new InvalidDataException($"{path}: not an RMSprop state written by MoViSharp.");
        var states = optimizer.state_dict().State.Cast<RMSProp.State>().ToList();
        int count = reader.ReadInt32();
        if (count != states.Count) throw new InvalidDataException($"{path}: state for {count} parameters, the model has {states.Count}.");
        foreach (var state in states)
        {
            state.step = reader.ReadInt64();
            state.square_avg.Load(reader);
            state.momentum_buffer.Load(reader);
            state.grad_avg.Load(reader);
        }
    }

    public void LoadOptimizer(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Optimizer state '{path}' not found.", path);
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        try
        {
            if (optimizer is RMSProp) LoadRmsProp(reader, path);
            else optimizer.load_state_dict(reader);
        }
        catch (Exception e) when (e is ArgumentException or EndOfStreamException)
        { throw new InvalidDataException($"{path}: the optimizer state does not fit this model/optimizer ({e.Message}).", e); }
    }

    public void Dispose() => optimizer.Dispose();
}
