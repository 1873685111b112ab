using MoViSharp.Models;

namespace MoViSharp.Families.MViT;

/// <summary>
/// The MViT family in the registry: torchvision's <c>mvit_v1_b</c> and <c>mvit_v2_s</c> with the figures of their Kinetics-400
/// weights (torchvision 0.14 metadata; GFLOPs as later torchvision metadata lists them, which equal our multiply-adds). Checkpoint
/// layout: torchvision's bare state dict (<see cref="TorchvisionLayout"/>).
/// </summary>
public sealed class MViTFamily : IModelFamily
{
    public const string FamilyName = "mvit";

    private const string Protocol = "video-level, 5 clips × 16 frames at 7.5 fps, short side 256, centre 224² (torchvision metadata; weights ported from the authors)";

    public string Name => FamilyName;

    public IReadOnlyList<ModelEntry> Models { get; } =
    [
        new("mvit_v1_b", MViTSpecs.Get("mvit_v1_b"), "MViT-B 16×4 (torchvision): absolute positions, 16 blocks, clip model",
            new PretrainedWeights
            {
                Source = "torchvision MViT_V1_B_Weights.KINETICS400_V1 (https://download.pytorch.org/models/mvit_v1_b-dbeb1030.pth)",
                LabelSet = "kinetics400", Top1 = 78.477, Top1Protocol = Protocol,
                Parameters = 36_610_672, GigaMultiplyAdds = 70.599, FiguresSource = "torchvision weight metadata (num_params; GFLOPS of torchvision ≥ 0.15)",
            }),
        new("mvit_v2_s", MViTSpecs.Get("mvit_v2_s"), "MViTv2-S (torchvision): relative positions, residual pooling, 16 blocks, clip model",
            new PretrainedWeights
            {
                Source = "torchvision MViT_V2_S_Weights.KINETICS400_V1 (https://download.pytorch.org/models/mvit_v2_s-ae3be167.pth)",
                LabelSet = "kinetics400", Top1 = 80.757, Top1Protocol = Protocol,
                Parameters = 34_537_744, GigaMultiplyAdds = 64.224, FiguresSource = "torchvision weight metadata (num_params; GFLOPS of torchvision ≥ 0.15)",
            }),
    ];

    public VideoModel Build(ModelConfig config) =>
        new MViT(config as MViTConfig ?? throw new ArgumentException($"The MViT family builds MViT configs, not '{config.Family}' ones."));

    public string WriteConfig(ModelConfig config) =>
        MViTConfigJson.Write(config as MViTConfig ?? throw new ArgumentException($"Not an MViT config: '{config.Family}'."));

    public ModelConfig ReadConfig(string json, string source) => MViTConfigJson.Read(json, source);

    public IReadOnlyList<ICheckpointLayout> Layouts { get; } = [new TorchvisionLayout()];
}
