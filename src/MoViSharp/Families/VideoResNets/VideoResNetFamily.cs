using MoViSharp.Labels;
using MoViSharp.Models;

namespace MoViSharp.Families.VideoResNets;

/// <summary>
/// torchvision's video ResNets in the registry: <c>r3d_18</c> (3-D convs), <c>mc3_18</c> (mixed: 3-D in layer1, 2-D after) and
/// <c>r2plus1d_18</c> ((2+1)D convs), with the Kinetics-400 figures of torchvision's weights. Checkpoints: torchvision's bare
/// state dicts (<see cref="TorchvisionVideoResNetLayout"/>).
/// </summary>
public sealed class VideoResNetFamily : IModelFamily
{
    public const string FamilyName = "video_resnet";

    private const string Protocol = "Kinetics-400 val, video-level: 5 clips × 16 frames at 15 fps, resize 128×171, centre crop 112² (torchvision weight metadata)";
    private const string Figures = "torchvision weight metadata: num_params; GFLOPS (= GMACs) of torchvision ≥ 0.15 at 16×112² (docs/zoo-reference.md)";

    private static readonly Dictionary<string, (string File, double Top1, long Parameters, double GigaMacs, string Description)> Published = new()
    {
        ["r3d_18"] = ("r3d_18-b3b3357e.pth", 63.20, 33_371_472, 40.697, "R3D-18: 3-D ResNet-18, 3×3×3 convs (Tran et al. 2018)"),
        ["mc3_18"] = ("mc3_18-a90a0ba3.pth", 63.96, 11_695_440, 43.343, "MC3-18: mixed convolutions, 3-D in layer1, 1×3×3 after"),
        ["r2plus1d_18"] = ("r2plus1d_18-91a641e6.pth", 67.463, 31_505_325, 40.519, "R(2+1)D-18: every 3×3×3 conv factorised into 1×3×3 + 3×1×1"),
    };

    public string Name => FamilyName;

    public IReadOnlyList<ModelEntry> Models { get; } = VideoResNetSpecs.Names.Select(Entry).ToList();

    private static ModelEntry Entry(string name)
    {
        var p = Published[name];
        return new ModelEntry(name, VideoResNetSpecs.Get(name), p.Description, new PretrainedWeights
        {
            Source = $"torchvision.models.video (https://download.pytorch.org/models/{p.File})",
            LabelSet = LabelSets.Kinetics400,
            Top1 = p.Top1,
            Top1Protocol = Protocol,
            Parameters = p.Parameters,
            GigaMultiplyAdds = p.GigaMacs,
            FiguresSource = Figures,
        });
    }

    public VideoModel Build(ModelConfig config) => new VideoResNet(As(config));

    public string WriteConfig(ModelConfig config) => VideoResNetConfigJson.Write(As(config));

    public ModelConfig ReadConfig(string json, string source) => VideoResNetConfigJson.Read(json, source);

    public IReadOnlyList<ICheckpointLayout> Layouts { get; } = [new TorchvisionVideoResNetLayout()];

    private static VideoResNetConfig As(ModelConfig config) => config as VideoResNetConfig
        ?? throw new ArgumentException($"The video ResNet family cannot build a '{config.Family}' configuration.");
}
