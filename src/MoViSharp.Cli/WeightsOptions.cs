using System.CommandLine;
using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Weights;

namespace MoViSharp.Cli;

/// <summary>--weights, --model, --variant and --gate: how commands that run a model find and build it.</summary>
public sealed class WeightsOptions
{
    public Option<string> Weights { get; } = new("--weights") { Description = "Weights file: MoViSharp .safetensors, PyTorch-port state dict, or .tflite", Required = true };
    public Option<string?> Model { get; } = new("--model") { Description = "a0 … a5 or t0 (needed for PyTorch-port files, which do not name it)" };
    public Option<string?> Variant { get; } = CliOptions.Variant();
    public Option<string?> Config { get; } = new("--config") { Description = "Architecture JSON for weights of a custom MoViNet (see docs)" };
    public Option<string?> Gate { get; } = new("--gate") { Description = "SE gate override: keras (clip(0.2x+0.5,0,1)) or relu6 (relu6(x+3)/6)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Weights);
        command.Options.Add(Model);
        command.Options.Add(Variant);
        command.Options.Add(Gate);
        command.Options.Add(Config);
    }

    public CheckpointHints Hints(ParseResult result) => new(
        result.GetValue(Model), CliOptions.ParseVariant(result.GetValue(Variant)),
        result.GetValue(Gate)?.ToLowerInvariant() switch
        {
            null => null,
            "keras" => GateKind.HardSigmoidKeras,
            "relu6" => GateKind.HardSigmoidRelu6,
            var g => throw new CliException($"--gate must be keras or relu6, not '{g}'."),
        },
        result.GetValue(Config) is { } configPath
            ? MoViNetConfigJson.Read(File.Exists(configPath) ? File.ReadAllText(configPath) : throw new CliException($"Config file '{configPath}' not found."), configPath)
            : null);

    public (MoViNet Model, IReadOnlyList<string>? Labels) Load(ParseResult result) =>
        CheckpointLoader.Load(result.GetValue(Weights)!, Hints(result));
}
