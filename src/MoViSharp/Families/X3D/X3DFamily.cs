using MoViSharp.Labels;
using MoViSharp.Models;

namespace MoViSharp.Families.X3D;

/// <summary>
/// PyTorchVideo's X3D models in the registry: <c>x3d_xs</c>, <c>x3d_s</c>, <c>x3d_m</c>, <c>x3d_l</c> with the Kinetics-400 figures of
/// PyTorchVideo's model zoo, and <c>x3d_xl</c> from the paper's table (no released weights). Checkpoints: PyTorchVideo's hub
/// <c>.pyth</c> files (<see cref="PyTorchVideoX3DLayout"/>). The continual family lists CoX3D for each of the four.
/// </summary>
public sealed class X3DFamily : IModelFamily
{
    public const string FamilyName = "x3d";

    private const string Protocol = "Kinetics-400 val, 30 views (10 clips × 3 crops) at the hub's test crop (PyTorchVideo model zoo)";
    private const string Figures = "parameters: PyTorchVideo's builder (model zoo: 3.79 M / 6.15 M); GMACs at the build clip: paper Table 3 (docs/zoo-reference.md)";

    private static readonly Dictionary<string, (string File, double Top1, long Parameters, double GigaMacs, string Description)> Published = new()
    {
        ["x3d_xs"] = ("X3D_XS.pyth", 69.12, 3_794_274, 0.60, "X3D-XS: 4×160² (stride 12), width 2.0, depth 2.2"),
        ["x3d_s"] = ("X3D_S.pyth", 73.33, 3_794_274, 1.96, "X3D-S: 13×160² (stride 6), X3D-XS's weights shapes"),
        ["x3d_m"] = ("X3D_M.pyth", 75.94, 3_794_274, 4.73, "X3D-M: 16×224² (stride 5), X3D-XS's weights shapes"),
        ["x3d_l"] = ("X3D_L.pyth", 77.44, 6_153_384, 18.37, "X3D-L: 16×312² (stride 5), depth 5.0"),
    };

    public string Name => FamilyName;

    public IReadOnlyList<ModelEntry> Models { get; } = [.. X3DSpecs.Names.Select(Entry)];

    private static ModelEntry Entry(string name)
    {
        if (!Published.TryGetValue(name, out var p))
            return new ModelEntry(name, X3DSpecs.Get(name),
                "X3D-XL: 16×312², width 2.9, depth 5.0 (paper Table 3: 11.0 M parameters, 35.84 GMACs, 78.4 top-1; no released weights)", null);
        return new ModelEntry(name, X3DSpecs.Get(name), p.Description, new PretrainedWeights
        {
            Source = $"PyTorchVideo hub (https://dl.fbaipublicfiles.com/pytorchvideo/model_zoo/kinetics/{p.File})",
            LabelSet = LabelSets.Kinetics400,
            Top1 = p.Top1,
            Top1Protocol = Protocol,
            Parameters = p.Parameters,
            GigaMultiplyAdds = p.GigaMacs,
            FiguresSource = Figures,
        });
    }

    public VideoModel Build(ModelConfig config) => new X3DNet(As(config));

    public string WriteConfig(ModelConfig config) => X3DConfigJson.Write(As(config));

    public ModelConfig ReadConfig(string json, string source) => X3DConfigJson.Read(json, source);

    public IReadOnlyList<ICheckpointLayout> Layouts { get; } = [new PyTorchVideoX3DLayout()];

    private static X3DConfig As(ModelConfig config) => config as X3DConfig
        ?? throw new ArgumentException($"The X3D family cannot build a '{config.Family}' configuration.");
}
