using System.CommandLine;
using MoViSharp.Classification;
using MoViSharp.Data;
using MoViSharp.Video;
using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Cli.Commands;

/// <summary>
/// `movisharp predict`: logits for a clip. A clip model classifies it at once ([1, C]); a stream model is fed one frame per
/// step and writes the logits after each frame ([T, C]). A .npy clip is the network input as it is ([T, H, W, 3], no resizing
/// or normalisation); a video is decoded and normalised as the model's preprocessing says.
/// </summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var weights = new WeightsOptions();
        var input = new InputOption("A .npy clip [T, H, W, 3] float32 (the network input as it is), or a video file/URL");
        var output = CliOptions.Output("Where to write the logits (.npy float32)");
        var size = CliOptions.Size("Frame size for video input (default: the model's)");
        var backend = new BackendOption();
        var command = new Command("predict", "Run a model on a clip and write its logits to .npy.") { output, size };
        input.AddTo(command);
        weights.AddTo(command);
        backend.AddTo(command);
        command.SetAction(result => CliErrors.Run(() =>
        {
            string inputPath = input.Get(result)!;
            var sample = new ClipSample(inputPath, 0);
            using var classifier = backend.Classifier(result, weights, normalizeInput: !sample.IsNpy);
            using var scope = NewDisposeScope();
            var preprocessing = classifier.Preprocessing;
            // Video: decoded as the model's preprocessing says (resize, crop, rate); --size asks for a centred square of that size instead.
            var decode = result.GetValue(size) is int s ? VideoSourceOptions.Square(s) with { Fps = preprocessing.Fps } : VideoSourceOptions.For(preprocessing);
            using var clip = ClipReader.Read(sample, decode).ToTensor();
            Tensor logits;
            using (inference_mode())
            {
                if (classifier.NotStreamableReason is null)
                {
                    using var state = classifier.InitialState(1, (int)clip.shape[3], (int)clip.shape[4]);
                    var perFrame = new List<Tensor>();
                    for (int t = 0; t < clip.shape[2]; t++)
                        if (classifier.Step(clip.select(2, t), state) is { } step) perFrame.Add(step);
                    logits = cat(perFrame, 0);                                     // [T, C]
                }
                else logits = classifier.ClipLogits(clip).select(1, -1);           // [1, C]
            }
            NpyFile.Write(result.GetValue(output)!, logits.contiguous());
            Console.Error.WriteLine($"wrote logits [{string.Join(", ", logits.shape)}] to {result.GetValue(output)}");
            return 0;
        }));
        return command;
    }
}
