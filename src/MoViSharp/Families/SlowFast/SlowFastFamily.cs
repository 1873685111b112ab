using MoViSharp.Labels;
using MoViSharp.Models;

namespace MoViSharp.Families.SlowFast;

/// <summary>
/// PyTorchVideo's Slow and SlowFast ResNet-50s in the registry: <c>slow_r50</c> (8×8) and <c>slowfast_r50</c> (8×8, α = 4, β = 1/8),
/// with the Kinetics-400 figures of PyTorchVideo's model zoo. Checkpoints: PyTorchVideo's hub <c>.pyth</c> files
/// (<see cref="PyTorchVideoResNetLayout"/>). The continual family lists CoSlow for slow_r50.
/// </summary>
public sealed class SlowFastFamily : IModelFamily
{
    public const string FamilyName = "slowfast";

    private const string Protocol = "Kinetics-400 val, 30 views (10 clips × 3 crops of 256²) (PyTorchVideo model zoo)";
    private const string Figures = "PyTorchVideo model zoo: parameters; GFLOPs (= GMACs) ×30 counted at the 256² test crop, "
        + "our count at the 224² build crop is lower by (224/256)² (docs/zoo-reference.md)";

    public string Name => FamilyName;

    public IReadOnlyList<ModelEntry> Models { get; } =
    [
        Entry("slow_r50", "SLOW_8x8_R50.pyth", 74.58, 32_454_096, 54.52, "Slow R50 8×8: ResNet-50, 8 frames at stride 8, conv_a 3×1×1 in res4/res5"),
        Entry("slowfast_r50", "SLOWFAST_8x8_R50.pyth", 76.94, 34_566_488, 65.71,
            "SlowFast R50 8×8: fast 32 frames at stride 2, slow = linspace(0, 31, 8) of them, α = 4, β = 1/8, lateral time-strided conv fusion"),
    ];

    private static ModelEntry Entry(string name, string file, double top1, long parameters, double gigaMacs, string description) =>
        new(name, SlowFastSpecs.Get(name), description, new PretrainedWeights
        {
            Source = $"PyTorchVideo hub (https://dl.fbaipublicfiles.com/pytorchvideo/model_zoo/kinetics/{file})",
            LabelSet = LabelSets.Kinetics400,
            Top1 = top1,
            Top1Protocol = Protocol,
            Parameters = parameters,
            GigaMultiplyAdds = gigaMacs,
            FiguresSource = Figures,
        });

    public VideoModel Build(ModelConfig config) => new SlowFastNet(As(config));

    public string WriteConfig(ModelConfig config) => SlowFastConfigJson.Write(As(config));

    public ModelConfig ReadConfig(string json, string source) => SlowFastConfigJson.Read(json, source);

    public IReadOnlyList<ICheckpointLayout> Layouts { get; } = [new PyTorchVideoResNetLayout()];

    private static SlowFastConfig As(ModelConfig config) => config as SlowFastConfig
        ?? throw new ArgumentException($"The Slow/SlowFast family cannot build a '{config.Family}' configuration.");
}
