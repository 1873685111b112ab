namespace MoViSharp.Data.Synthetic;

/// <summary>
/// The benchmark's classes, in label order. Ten of the fifteen form five time-reversal pairs that no single frame and
/// no orderless statistic of the frames can separate; the other five differ in appearance or motion pattern and
/// are each closed under time reversal (random phase or direction), so order carries no information about them.
/// </summary>
public static class SyntheticActionClasses
{
    public static IReadOnlyList<SyntheticActionClass> All { get; } =
    [
        new(0, "move_left", SyntheticMotion.MoveRight, PlayedBackwards: true, ReverseIndex: 1),
        new(1, "move_right", SyntheticMotion.MoveRight, PlayedBackwards: false, ReverseIndex: 0),
        new(2, "move_up", SyntheticMotion.MoveDown, PlayedBackwards: true, ReverseIndex: 3),
        new(3, "move_down", SyntheticMotion.MoveDown, PlayedBackwards: false, ReverseIndex: 2),
        new(4, "grow", SyntheticMotion.Grow, PlayedBackwards: false, ReverseIndex: 5),
        new(5, "shrink", SyntheticMotion.Grow, PlayedBackwards: true, ReverseIndex: 4),
        new(6, "rotate_cw", SyntheticMotion.RotateClockwise, PlayedBackwards: false, ReverseIndex: 7),
        new(7, "rotate_ccw", SyntheticMotion.RotateClockwise, PlayedBackwards: true, ReverseIndex: 6),
        new(8, "appear", SyntheticMotion.Appear, PlayedBackwards: false, ReverseIndex: 9),
        new(9, "disappear", SyntheticMotion.Appear, PlayedBackwards: true, ReverseIndex: 8),
        new(10, "static", SyntheticMotion.Static, PlayedBackwards: false, ReverseIndex: null),
        new(11, "blink", SyntheticMotion.Blink, PlayedBackwards: false, ReverseIndex: null),
        new(12, "bounce", SyntheticMotion.Bounce, PlayedBackwards: false, ReverseIndex: null),
        new(13, "orbit", SyntheticMotion.Orbit, PlayedBackwards: false, ReverseIndex: null),
        new(14, "zigzag", SyntheticMotion.Zigzag, PlayedBackwards: false, ReverseIndex: null),
    ];

    public static int Count => All.Count;

    /// <summary>The class names in label order, as written to labels.txt.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(c => c.Name).ToArray();

    public static SyntheticActionClass Get(int index) =>
        (uint)index < (uint)All.Count
            ? All[index]
            : throw new ArgumentOutOfRangeException(nameof(index), index, $"class index must be in [0, {All.Count})");

    /// <summary>The class called <paramref name="name"/>; throws naming the known classes otherwise.</summary>
    public static SyntheticActionClass Get(string name) =>
        All.FirstOrDefault(c => c.Name == name)
        ?? throw new ArgumentException($"unknown synthetic class '{name}' (known: {string.Join(", ", Names)})", nameof(name));
}
