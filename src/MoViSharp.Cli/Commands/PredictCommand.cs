using System.CommandLine;
using MoViSharp.Data;
using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Cli.Commands;

/// <summary>
/// `movisharp predict`: logits for a clip. A base model classifies the clip at once ([1, C]); a stream model is fed one frame
/// per call and writes the logits after each frame ([T, C]).
/// </summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var weights = new WeightsOptions();
        var input = new Option<string>("--input") { Description = "A .npy clip [T, H, W, 3] float32 in [0, 1], or a video file/URL", Required = true };
        var output = new Option<string>("--output") { Description = "Where to write the logits (.npy float32)", Required = true };
        var size = new Option<int?>("--size") { Description = "Frame size for video input (default: the model's native size)" };
        var command = new Command("predict", "Run a model on a clip and write its logits to .npy.") { input, output, size };
        weights.AddTo(command);
        command.SetAction(result => CliErrors.Run(() =>
        {
            var (model, _) = weights.Load(result);
            using var _model = model;
            string inputPath = result.GetValue(input)!;
            using var scope = NewDisposeScope();
            using var clip = ClipReader.Read(new ClipSample(inputPath, 0), result.GetValue(size) ?? model.Config.NativeSize).ToTensor();
            Tensor logits;
            using (inference_mode())
            {
                if (model.Config.Causal)
                {
                    using var state = model.InitialState(1, (int)clip.shape[3], (int)clip.shape[4]);
                    var perFrame = new List<Tensor>();
                    for (int t = 0; t < clip.shape[2]; t++) perFrame.Add(model.ForwardStep(clip.select(2, t), state));
                    logits = cat(perFrame, 0);                                     // [T, C]
                }
                else logits = model.forward(clip);                                   // [1, C]
            }
            NpyFile.Write(result.GetValue(output)!, logits.contiguous());
            Console.Error.WriteLine($"wrote logits [{string.Join(", ", logits.shape)}] to {result.GetValue(output)}");
            return 0;
        }));
        return command;
    }
}
