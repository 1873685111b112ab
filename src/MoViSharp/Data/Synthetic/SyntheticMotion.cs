namespace MoViSharp.Data.Synthetic;

/// <summary>
/// How the object changes over a clip, always in the forward direction. A temporal-order class plays one of
/// the forward motions backwards (move_left is <see cref="MoveRight"/> reversed), so the pair shares every frame.
/// </summary>
public enum SyntheticMotion
{
    /// <summary>Straight horizontal travel to the right at constant speed.</summary>
    MoveRight,
    /// <summary>Straight vertical travel downwards at constant speed.</summary>
    MoveDown,
    /// <summary>The object scales up in place.</summary>
    Grow,
    /// <summary>The object turns clockwise (as seen on screen) in place.</summary>
    RotateClockwise,
    /// <summary>The object fades or pops in from invisible.</summary>
    Appear,
    /// <summary>The object does not change; only distractors and noise do.</summary>
    Static,
    /// <summary>The object flashes on and off periodically at a random phase.</summary>
    Blink,
    /// <summary>The object bounces vertically like a ball, at a random phase.</summary>
    Bounce,
    /// <summary>The object circles a centre, in a random direction.</summary>
    Orbit,
    /// <summary>The object swings sideways with sharp turns while drifting slowly up or down (random).</summary>
    Zigzag,
}
