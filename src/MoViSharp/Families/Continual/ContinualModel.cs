using MoViSharp.Models;
using MoViSharp.Streaming;

namespace MoViSharp.Families.Continual;

/// <summary>A converted clip model: the base model's parts (same names, same weights) under the continual configuration.</summary>
public sealed class ContinualModel : VideoModel
{
    private readonly ContinualConfig config;

    public override ModelConfig Config => config;

    public ContinualModel(ContinualConfig config) : this(config, Converted(config)) { }

    private ContinualModel(ContinualConfig config, VideoModel converted)
        : base($"Continual-{config.Name}", converted.Items) => this.config = config;

    private static VideoModel Converted(ContinualConfig config)
    {
        var model = ModelRegistry.Build(config.Base);
        ContinualConversion.Convert(model, config.PoolWindow, config.Fill);
        return model;
    }

    /// <summary>The continual form of a loaded clip model with its weights (the clip model's modules are taken over).</summary>
    public static ContinualModel From(VideoModel clipModel, ContinualConfig config)
    {
        ContinualConversion.Convert(clipModel, config.PoolWindow, config.Fill);
        return new ContinualModel(config with { BaseConfig = clipModel.Config }, clipModel);
    }
}
