using System.CommandLine;
using MoViSharp.Cli.Training;
using MoViSharp.Data;
using MoViSharp.Models;
using MoViSharp.Training;
using MoViSharp.Weights;
using TorchSharp;

namespace MoViSharp.Cli.Commands;

/// <summary>`movisharp train`: trains (or fine-tunes) a MoViNet on a folder-per-class or CSV dataset.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var input = new InputOption("Training clips: DIR/<class>/<clip>.npy|video, or a CSV list path,label[,start_s,end_s]", "--data");
        var val = new Option<string?>("--val") { Description = "Validation clips (same layout), scored after every epoch" };
        var model = new Option<string?>("--model") { Description = "Any registered model (default a0 unless --config or --init)" };
        var config = new Option<string?>("--config") { Description = "Custom architecture as JSON (its 'family' field names the family; MoViNet by default)" };
        var variant = CliOptions.Variant();
        var frames = new Option<int>("--frames") { Description = "Frames per training clip", DefaultValueFactory = _ => 16 };
        var stride = new Option<int>("--stride") { Description = "Take every n-th frame", DefaultValueFactory = _ => 1 };
        var fps = new Option<double?>("--fps") { Description = "Resample videos to this frame rate before sampling (video files only)" };
        var size = new Option<int>("--size") { Description = "Square frame size the model sees, in pixels", DefaultValueFactory = _ => 64 };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 16 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate", DefaultValueFactory = _ => 3e-3 };
        var optimizer = new Option<string>("--optimizer") { Description = "adamw or rmsprop (rho 0.9, momentum 0.9, eps 1.0 as in the official recipe)", DefaultValueFactory = _ => "adamw" };
        var weightDecay = new Option<double>("--weight-decay") { Description = "On conv weights only", DefaultValueFactory = _ => 0.05 };
        var smoothing = new Option<double>("--label-smoothing") { DefaultValueFactory = _ => 0.1 };
        var clipGrad = new Option<double>("--clip-grad") { Description = "Max global gradient norm (0 = off)", DefaultValueFactory = _ => 1.0 };
        var warmup = new Option<int?>("--warmup") { Description = "Linear warm-up steps (default: 5% of all steps)" };
        var streamBuffer = new Option<int?>("--stream-buffer") { Description = "Stream models: train on sub-clips of N frames carrying the stream state" };
        var freeze = new Option<bool>("--freeze-backbone") { Description = "Fine-tuning: train only the classifier head (the model's last part)" };
        var dropout = new Option<double?>("--dropout") { Description = "Dropout before the classifier (default: the model's)" };
        var stochasticDepth = new Option<double?>("--stochastic-depth") { Description = "Stochastic depth rate of the last layer (default: the model's)" };
        var cropArea = new Option<double>("--crop-area-min") { Description = "Smallest random-resized-crop area fraction", DefaultValueFactory = _ => 0.08 };
        var flip = new Option<bool>("--flip") { Description = "Random horizontal flips (off: they swap left/right classes)" };
        var cache = new Option<bool>("--cache") { Description = "Keep decoded clips in memory between epochs" };
        var threads = new Option<int?>("--threads") { Description = "Torch compute threads (default: all cores)" };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 1 };
        var output = CliOptions.Output("Output folder", aliases: "--out");
        var init = new Option<string?>("--init") { Description = "Start from these weights (any file `classify` reads; a new head for these classes; --model/--config name the architecture of upstream files that do not)" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from its last epoch" };
        var pair = new Option<bool>("--ensemble-pair") { Description = "Train two models on half-rate clips one frame apart (OUT/even, OUT/odd)" };
        var command = new Command("train", "Train or fine-tune a model of any family on labelled clips.")
        {
            val, model, config, variant, frames, stride, fps, size, epochs, batch, lr, optimizer, weightDecay, smoothing, clipGrad, warmup,
            streamBuffer, freeze, dropout, stochasticDepth, cropArea, flip, cache, threads, seed, output, init, resume, pair,
        };
        input.AddTo(command);
        command.SetAction(result => CliErrors.Run(() =>
        {
            int t = result.GetValue(frames), s = result.GetValue(size), b = result.GetValue(batch), e = result.GetValue(epochs);
            if (t < 1 || s < 8 || b < 1 || e < 1) throw new CliException("--frames, --batch and --epochs must be positive and --size at least 8.");
            if (result.GetValue(threads) is int n) torch.set_num_threads(Math.Max(1, n));
            long seedValue = result.GetValue(seed);
            torch.manual_seed(seedValue);
            string outDir = result.GetValue(output)!;
            var trainData = ClipDataset.Open(input.Get(result)!);
            var valData = result.GetValue(val) is string v ? ClipDataset.Open(v, trainData.Classes) : null;
            var optimizerKind = result.GetValue(optimizer)!.ToLowerInvariant() switch
            {
                "adamw" => OptimizerKind.AdamW,
                "rmsprop" => OptimizerKind.RmsProp,
                var o => throw new CliException($"--optimizer must be adamw or rmsprop, not '{o}'."),
            };
            var members = TrainingPlan.Members(t, result.GetValue(stride), result.GetValue(fps), outDir, result.GetValue(resume), seedValue, result.GetValue(pair));
            int batchesPerEpoch = trainData.Count / b;
            var training = new TrainingOptions
            {
                Epochs = e, LearningRate = result.GetValue(lr), Optimizer = optimizerKind, WeightDecay = result.GetValue(weightDecay),
                LabelSmoothing = result.GetValue(smoothing), ClipGradNorm = result.GetValue(clipGrad),
                WarmupSteps = result.GetValue(warmup) ?? Math.Max(1, e * batchesPerEpoch / 20),
                StreamBufferFrames = result.GetValue(streamBuffer), FreezeBackbone = result.GetValue(freeze), Seed = seedValue,
            };
            var augmentation = new ClipAugmentation { MinArea = result.GetValue(cropArea), HorizontalFlip = result.GetValue(flip) };
            string commandLine = "movisharp " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(Quote));

            foreach (var member in members)
            {
                var trainLoader = new ClipLoaderOptions
                {
                    Sampling = member.Sampling, Size = s, BatchSize = b, Train = true, Augmentation = augmentation, DropLast = true,
                    Seed = member.Seed, Cache = result.GetValue(cache),
                };
                // Validation: the centred clip; ensemble members see their own half-rate frames.
                var valLoader = trainLoader with { Train = false, DropLast = false, Seed = 0 };
                using var net = BuildModel(result.GetValue(model), result.GetValue(config), result.GetValue(init), CliOptions.ParseVariant(result.GetValue(variant)),
                    trainData.Classes.Count, c => c.ForTraining(member.Sampling.Frames, s, result.GetValue(dropout), result.GetValue(stochasticDepth)));
                var settings = new TrainingRunSettings
                {
                    OutputDirectory = member.OutputDirectory, Training = training with { Seed = member.Seed }, TrainData = trainData, TrainLoader = trainLoader,
                    ValData = valData, ValLoader = valData is null ? null : valLoader, CommandLine = commandLine, ResumeDirectory = member.ResumeDirectory,
                    Metadata = member.Metadata,
                };
                Console.Error.WriteLine($"{net.Config.Id}: {net.ParameterCount:N0} parameters, {trainData.Count} clips in {trainData.Classes.Count} classes, " +
                                        $"{member.Sampling.Frames}×{s}² (stride {member.Sampling.Stride}{(member.Name.Length > 0 ? $", offset {member.Sampling.Offset}" : "")}), " +
                                        $"{batchesPerEpoch} batches/epoch, {torch.get_num_threads()} threads");
                var run = new TrainingRun(net, settings);
                run.EpochCompleted += history => TrainingPlots.WriteCurves(Path.Combine(member.OutputDirectory, "metrics.png"), history);
                TrainingConsole.Run(run, member.Name.Length == 0 ? "train" : member.Name);
                Console.Error.WriteLine($"wrote {Path.Combine(member.OutputDirectory, "model.safetensors")}");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>A fresh named or custom model, or any checkpoint with a new head for <paramref name="classes"/>.</summary>
    private static VideoModel BuildModel(string? name, string? configPath, string? init, string? variant, int classes, Func<ModelConfig, ModelConfig> customize)
    {
        if (name is not null && configPath is not null) throw new CliException("Give at most one of --model and --config.");
        if (init is not null)
        {
            // With --init, --model/--variant/--config say what an upstream file holds when it does not name its architecture.
            var hints = new CheckpointHints(name, variant, configPath is null ? null : ModelConfigFile.Read(configPath));
            using var source = CheckpointLoader.Load(init, hints);
            return FineTuning.WithNewHead(source.Model, classes, customize);
        }
        if (configPath is not null)
        {
            var config = ModelConfigFile.Read(configPath) with { NumClasses = classes };
            if (variant is not null && !config.Id.EndsWith("-" + variant, StringComparison.OrdinalIgnoreCase))
                throw new CliException($"{configPath} describes {config.Id}; drop --variant or change the file.");
            return ModelRegistry.Build(customize(config));
        }
        return ModelRegistry.Build(customize(ModelRegistry.Config(name ?? "a0", classes, variant)));
    }

    private static string Quote(string arg) => arg.Length > 0 && arg.All(c => !char.IsWhiteSpace(c) && c != '"' && c != '\'') ? arg : $"'{arg.Replace("'", "'\\''")}'";
}
