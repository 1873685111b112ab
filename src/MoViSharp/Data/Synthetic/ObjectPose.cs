namespace MoViSharp.Data.Synthetic;

/// <summary>The object's state in one frame, in units of the frame's side (0..1, y pointing down).</summary>
/// <param name="X">Centre, horizontal.</param>
/// <param name="Y">Centre, vertical (down is positive).</param>
/// <param name="Scale">Multiplies the object's base radius.</param>
/// <param name="Angle">Rotation in radians, clockwise on screen.</param>
/// <param name="Opacity">0 (invisible) to 1 (opaque).</param>
public readonly record struct ObjectPose(double X, double Y, double Scale, double Angle, double Opacity);
