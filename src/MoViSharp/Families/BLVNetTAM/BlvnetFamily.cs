using MoViSharp.Labels;
using MoViSharp.Models;

namespace MoViSharp.Families.BLVNetTAM;

/// <summary>
/// bLVNet-TAM (NeurIPS 2019) in the registry as <c>blvnet_tam_r50</c>: bLResNet-50, α = 2, β = 4, 16 frames (f8×2), Kinetics-400.
/// Checkpoints: the release's bare state dict (<see cref="BlvnetReleaseLayout"/>).
/// </summary>
public sealed class BlvnetFamily : IModelFamily
{
    public const string FamilyName = "blvnet_tam";

    public static BlvnetConfig Published { get; } = new() { Name = "blvnet_tam_r50", NumClasses = 400 };

    public string Name => FamilyName;

    public IReadOnlyList<ModelEntry> Models { get; } =
    [
        new("blvnet_tam_r50", Published,
            "bLVNet-TAM-50 (α 2, β 4, f8×2 = 16 frames): big-little ResNet-50 with temporal aggregation, frame logits averaged",
            new PretrainedWeights
            {
                Source = "IBM/bLVNet-TAM release: kinetics400-bLVNet-TAM-50-a2-b4-f8x2.pth.tar",
                LabelSet = LabelSets.Kinetics400,
                Top1 = null,
                Top1Protocol = "none in the README for Kinetics-400 (73.5 % is listed on aggregator sites for the paper, unverified); the README gives "
                             + "Something-Something V1/V2 46.4/59.1 for f8×2 (1 crop, 1 clip)",
                Parameters = 25_483_216,
                GigaMultiplyAdds = 23.855,
                FiguresSource = "no figure in the README (the paper claims 3–4× fewer FLOPs than its baseline); parameters and multiply-adds measured "
                              + "on the upstream module at 16×224² (docs/zoo-reference.md)",
            }),
    ];

    public VideoModel Build(ModelConfig config) => new BlvnetNet(As(config));

    public string WriteConfig(ModelConfig config) => BlvnetConfigJson.Write(As(config));

    public ModelConfig ReadConfig(string json, string source) => BlvnetConfigJson.Read(json, source);

    public IReadOnlyList<ICheckpointLayout> Layouts { get; } = [new BlvnetReleaseLayout()];

    private static BlvnetConfig As(ModelConfig config) => config as BlvnetConfig
        ?? throw new ArgumentException($"The bLVNet-TAM family cannot build a '{config.Family}' configuration.");
}
