using System.CommandLine;
using MoViSharp.Classification;
using MoViSharp.Families.MoViNets;
using MoViSharp.Inference;
using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Weights;

namespace MoViSharp.Cli;

/// <summary>
/// --weights, --model, --variant, --config, --gate and --plain: how every command that runs a model finds, builds and runs it.
/// The hints go to <see cref="CheckpointLoader"/>, which applies them once for every format.
/// </summary>
public sealed class WeightsOptions
{
    public Option<string?> Weights { get; } = new("--weights") { Description = "Weights file: MoViSharp .safetensors, an upstream state dict (torch.save, safetensors) or .tflite" };
    public Option<string?> Model { get; } = new("--model") { Description = "Registered model name (needed for upstream files that do not name it; checked against files that do)" };
    public Option<string?> Variant { get; } = CliOptions.Variant();
    public Option<string?> Config { get; } = new("--config") { Description = "Architecture JSON for weights of a custom model (see docs/design.md)" };
    public Option<string?> Gate { get; } = new("--gate") { Description = "MoViNets: SE gate override, keras (clip(0.2x+0.5,0,1)) or relu6 (relu6(x+3)/6)" };
    public Option<bool> Plain { get; } = CliOptions.Plain();

    public void AddTo(Command command, bool plain = true)
    {
        command.Options.Add(Weights);
        command.Options.Add(Model);
        command.Options.Add(Variant);
        command.Options.Add(Gate);
        command.Options.Add(Config);
        if (plain) command.Options.Add(Plain);
    }

    public CheckpointHints Hints(ParseResult result)
    {
        var gate = result.GetValue(Gate)?.ToLowerInvariant() switch
        {
            null => (GateKind?)null,
            "keras" => GateKind.HardSigmoidKeras,
            "relu6" => GateKind.HardSigmoidRelu6,
            var g => throw new CliException($"--gate must be keras or relu6, not '{g}'."),
        };
        Func<ModelConfig, ModelConfig>? adjust = gate is { } g2
            ? c => c is MoViNetConfig m ? m with { Gate = g2 } : throw new CliException($"--gate applies to MoViNets, not to {c.Family} models.")
            : null;
        var config = result.GetValue(Config) is { } path ? ModelConfigFile.Read(path) : null;
        return new CheckpointHints(result.GetValue(Model), CliOptions.ParseVariant(result.GetValue(Variant)), config, adjust);
    }

    /// <summary>The file given with --weights (required).</summary>
    public string Path(ParseResult result) => result.GetValue(Weights) ?? throw new CliException("Give --weights FILE.");

    public LoadedModel Load(ParseResult result) => CheckpointLoader.Load(Path(result), Hints(result));

    public LoadedModel Load(string path, ParseResult result) => CheckpointLoader.Load(path, Hints(result));

    /// <summary>The classifier for a loaded model: compiled unless --plain.</summary>
    public IVideoClassifier Classifier(LoadedModel loaded, ParseResult result, bool normalizeInput = true) =>
        ModelCompiler.Classifier(loaded, result.GetValue(Plain), normalizeInput: normalizeInput);
}
