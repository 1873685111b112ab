using MoViSharp.Models;

namespace MoViSharp.Families.C3D;

/// <summary>
/// C3D (Tran et al. 2015) in the registry as <c>c3d</c>: the widely used PyTorch conversion of the Sports-1M Caffe model (487
/// classes). Checkpoints: the conversion's bare state dict, <c>c3d.pickle</c> (<see cref="C3DPytorchLayout"/>).
/// </summary>
public sealed class C3DFamily : IModelFamily
{
    public const string FamilyName = "c3d";
    public const string Sports1M = "sports1m";

    public string Name => FamilyName;

    public IReadOnlyList<ModelEntry> Models { get; } =
    [
        new("c3d", new C3DConfig { Name = "c3d", NumClasses = 487 },
            "C3D: 8 3×3×3 convs + fc6/fc7 4096, 16×112², RGB 0…255 (Sports-1M conversion)",
            new PretrainedWeights
            {
                Source = "DavideA/c3d-pytorch: c3d.pickle, the Sports-1M Caffe model converted to PyTorch",
                LabelSet = Sports1M,
                Top1 = null,
                Top1Protocol = "no Kinetics figure: trained on Sports-1M; the paper reports Sports-1M video hit@1 and UCF101 with fc6 features "
                             + "+ linear SVM (82.3 %, one net), both recalled, not re-checked",
                GigaMultiplyAdds = 38.5,
                FiguresSource = "38.5 GMACs at 16×112²: the commonly cited figure (recalled, docs/zoo-reference.md); no published parameter count "
                              + "(the conversion's module has 79,991,015)",
            }),
    ];

    public VideoModel Build(ModelConfig config) => new C3DNet(As(config));

    public string WriteConfig(ModelConfig config) => C3DConfigJson.Write(As(config));

    public ModelConfig ReadConfig(string json, string source) => C3DConfigJson.Read(json, source);

    public IReadOnlyList<ICheckpointLayout> Layouts { get; } = [new C3DPytorchLayout()];

    private static C3DConfig As(ModelConfig config) => config as C3DConfig
        ?? throw new ArgumentException($"The C3D family cannot build a '{config.Family}' configuration.");
}
