namespace MoViSharp.Streaming;

/// <summary>
/// A module that returns its input unchanged after checking that the model can run on its shape, in the clip call and in
/// <see cref="StreamModule.Trace"/> (e.g. C3D's fixed fc6 map, S3D's fixed head pool window). Exporters and compilers keep only
/// the check, done once on the shape they trace, and emit nothing for it.
/// </summary>
public interface IInputCheck;
