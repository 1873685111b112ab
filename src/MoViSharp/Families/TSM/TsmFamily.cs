using MoViSharp.Labels;
using MoViSharp.Models;

namespace MoViSharp.Families.TSM;

/// <summary>
/// TSM (Lin, Gan, Han, ICCV 2019) in the registry: <c>tsm_r50</c> (ResNet-50) and <c>tsm_mobilenetv2</c>, 8 segments, the offline
/// residual shift and average consensus, with the Kinetics-400 figures of mit-han-lab/temporal-shift-module's README; and their
/// online forms <c>tsm_r50_online</c>, <c>tsm_mobilenetv2_online</c> (one-way shift from a one-frame cache, a prediction per frame,
/// same weights). Checkpoints: the release's <c>{"state_dict": {"module.…"}}</c> files (<see cref="TsmReleaseLayout"/>).
/// </summary>
public sealed class TsmFamily : IModelFamily
{
    public const string FamilyName = "tsm";

    private const string Dense = "Kinetics-400 val, I3D dense sampling: 10 clips of 8 frames 8 apart, 3 full-resolution crops (TSM README, '8 * 10clips'; test_models.py --dense_sample --full_res --test_crops=3)";
    private const string Figures = "no parameter or FLOP figure in the TSM README; parameters as the upstream TSN module counts them, multiply-adds measured on "
                                 + "the upstream code at 8×224² (docs/zoo-reference.md; the paper's ~33 G for TSM-R50 is recalled, not re-checked)";

    private static readonly Dictionary<string, (string File, double Top1, long Parameters, double GigaMacs, string Description)> Published = new()
    {
        ["tsm_r50"] = ("TSM_kinetics_RGB_resnet50_shift8_blockres_avg_segment8_e100_dense.pth", 74.1, 24_327_632, 32.704,
            "TSM ResNet-50: 8 segments, residual shift 1/8 each way before every conv1, average consensus"),
        ["tsm_mobilenetv2"] = ("TSM_kinetics_RGB_mobilenetv2_shift8_blockres_avg_segment8_e100_dense.pth", 69.5, 2_736_272, 2.400,
            "TSM MobileNetV2: 8 segments, residual shift 1/8 each way in the 10 expanding identity blocks, average consensus"),
    };

    public string Name => FamilyName;

    public IReadOnlyList<ModelEntry> Models { get; } = TsmSpecs.Names.Select(Entry).ToList();

    private static ModelEntry Entry(string name)
    {
        var config = TsmSpecs.Get(name);
        string offline = name.Replace("_online", "", StringComparison.Ordinal);
        var p = Published[offline];
        string description = config.Online
            ? $"Online {p.Description.Split(':')[0]}: one-way shift from a one-frame cache per shifted block, one prediction per frame (the {offline} weights)"
            : p.Description;
        return new ModelEntry(name, config, description, new PretrainedWeights
        {
            Source = $"mit-han-lab/temporal-shift-module release: {p.File}",
            LabelSet = LabelSets.Kinetics400,
            // The online model reuses the offline weights: the published accuracy is the offline model's.
            Top1 = config.Online ? null : p.Top1,
            Top1Protocol = config.Online ? $"none published for the offline weights shifted one way ({offline}: {p.Top1} %, {Dense})" : Dense,
            Parameters = p.Parameters,
            GigaMultiplyAdds = p.GigaMacs,
            FiguresSource = Figures,
        });
    }

    public VideoModel Build(ModelConfig config) => new TsmNet(As(config));

    public string WriteConfig(ModelConfig config) => TsmConfigJson.Write(As(config));

    public ModelConfig ReadConfig(string json, string source) => TsmConfigJson.Read(json, source);

    public IReadOnlyList<ICheckpointLayout> Layouts { get; } = [new TsmReleaseLayout()];

    private static TsmConfig As(ModelConfig config) => config as TsmConfig
        ?? throw new ArgumentException($"The TSM family cannot build a '{config.Family}' configuration.");
}
