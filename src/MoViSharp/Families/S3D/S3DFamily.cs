using MoViSharp.Labels;
using MoViSharp.Models;

namespace MoViSharp.Families.S3D;

/// <summary>
/// torchvision's S3D (separable 3-D Inception, Xie et al. 2018) in the registry as <c>s3d</c>, with the Kinetics-400 figures of
/// torchvision's weights. Checkpoints: torchvision's bare state dict (<see cref="TorchvisionS3DLayout"/>).
/// </summary>
public sealed class S3DFamily : IModelFamily
{
    public const string FamilyName = "s3d";

    public string Name => FamilyName;

    public IReadOnlyList<ModelEntry> Models { get; } =
    [
        new("s3d", new S3DConfig { Name = "s3d", NumClasses = 400 },
            "S3D: separable 3-D Inception (1×k×k then k×1×1 convs), 16×224², fixed 2×7×7 head pool",
            new PretrainedWeights
            {
                Source = "torchvision.models.video (https://download.pytorch.org/models/s3d-d76dad2f.pth)",
                LabelSet = LabelSets.Kinetics400,
                Top1 = 68.368,
                Top1Protocol = "Kinetics-400 val, clip-level: 1 clip × 128 frames at 15 fps, resize 256², centre crop 224² (torchvision weight metadata)",
                Parameters = 8_320_048,
                GigaMultiplyAdds = 17.979,
                FiguresSource = "torchvision weight metadata: num_params; _ops GFLOPS (= GMACs) at 16×224² (docs/zoo-reference.md)",
            }),
    ];

    public VideoModel Build(ModelConfig config) => new S3DNet(As(config));

    public string WriteConfig(ModelConfig config) => S3DConfigJson.Write(As(config));

    public ModelConfig ReadConfig(string json, string source) => S3DConfigJson.Read(json, source);

    public IReadOnlyList<ICheckpointLayout> Layouts { get; } = [new TorchvisionS3DLayout()];

    private static S3DConfig As(ModelConfig config) => config as S3DConfig
        ?? throw new ArgumentException($"The S3D family cannot build a '{config.Family}' configuration.");
}
