namespace MoViSharp.Data.Synthetic;

/// <summary>
/// The object's pose as a function of time for one clip: a forward <see cref="SyntheticMotion"/> with its extent,
/// speed, start and phase drawn from the clip's generator. The object stays inside the frame throughout.
/// </summary>
public sealed class SyntheticTrajectory
{
    private readonly Func<double, int, ObjectPose> pose;

    private SyntheticTrajectory(SyntheticMotion motion, Func<double, int, ObjectPose> pose)
    {
        Motion = motion;
        this.pose = pose;
    }

    public SyntheticMotion Motion { get; }

    /// <summary>The pose at time <paramref name="t"/> in [0, 1] (first to last frame), which is frame <paramref name="frame"/>.</summary>
    public ObjectPose At(double t, int frame) => pose(t, frame);

    /// <summary>
    /// Draws a trajectory. <paramref name="radius"/> is the object's base radius (fraction of the frame side) and
    /// <paramref name="symmetryPeriod"/> the rotation after which the shape looks the same, so that rotation per
    /// frame stays well under half of it and its direction stays unambiguous.
    /// </summary>
    public static SyntheticTrajectory Sample(ref SplitMix64 random, SyntheticMotion motion, double radius, double symmetryPeriod, int frames)
    {
        // Room for the triangle's apex (1.15 r) plus a pixel or so of anti-aliasing.
        double margin = 1.25 * radius;
        double low = margin, high = 1 - margin, room = high - low;
        double angle = random.NextDouble(0, 2 * Math.PI);
        double x = random.NextDouble(low, high), y = random.NextDouble(low, high);

        switch (motion)
        {
            case SyntheticMotion.MoveRight:
            case SyntheticMotion.MoveDown:
            {
                double extent = Math.Min(random.NextDouble(0.3, 0.55), room - 0.02);
                double start = random.NextDouble(low, high - extent);
                return motion == SyntheticMotion.MoveRight
                    ? new(motion, (t, _) => new ObjectPose(start + extent * t, y, 1, angle, 1))
                    : new(motion, (t, _) => new ObjectPose(x, start + extent * t, 1, angle, 1));
            }
            case SyntheticMotion.Grow:
            {
                double from = random.NextDouble(0.3, 0.55);
                return new(motion, (t, _) => new ObjectPose(x, y, from + (1 - from) * t, angle, 1));
            }
            case SyntheticMotion.RotateClockwise:
            {
                double sweep = Math.Min(random.NextDouble(0.5 * Math.PI, 1.25 * Math.PI), (frames - 1) * 0.3 * symmetryPeriod);
                return new(motion, (t, _) => new ObjectPose(x, y, 1, angle + sweep * t, 1));
            }
            case SyntheticMotion.Appear:
            {
                double start = random.NextDouble(0.1, 0.45);
                // A third of the clips pop in at once, the rest fade in.
                double duration = random.NextBool(1.0 / 3) ? 0 : random.NextDouble(0.15, 0.4);
                return new(motion, (t, _) => new ObjectPose(x, y, 1, angle,
                    duration == 0 ? (t >= start ? 1 : 0) : Math.Clamp((t - start) / duration, 0, 1)));
            }
            case SyntheticMotion.Static:
                return new(motion, (_, _) => new ObjectPose(x, y, 1, angle, 1));
            case SyntheticMotion.Blink:
            {
                // On for h frames, off for h frames, at a uniformly random phase: the reversed pattern is equally likely.
                int half = 2 + random.NextInt(3);
                int phase = random.NextInt(2 * half);
                return new(motion, (_, frame) => new ObjectPose(x, y, 1, angle, (frame + phase) / half % 2 == 0 ? 1 : 0));
            }
            case SyntheticMotion.Bounce:
            {
                double height = Math.Min(random.NextDouble(0.3, 0.5), room);
                double bounces = random.NextDouble(1.5, 3);
                double phase = random.NextDouble(0, Math.PI);
                return new(motion, (t, _) => new ObjectPose(x, high - height * Math.Abs(Math.Sin(Math.PI * bounces * t + phase)), 1, angle, 1));
            }
            case SyntheticMotion.Orbit:
            {
                double orbit = Math.Min(random.NextDouble(0.15, 0.28), room / 2 - 0.01);
                double cx = random.NextDouble(low + orbit, high - orbit), cy = random.NextDouble(low + orbit, high - orbit);
                double turns = random.NextDouble(0.75, 1.25) * random.NextSign();
                double phase = random.NextDouble(0, 2 * Math.PI);
                return new(motion, (t, _) =>
                {
                    double a = phase + 2 * Math.PI * turns * t;
                    return new ObjectPose(cx + orbit * Math.Cos(a), cy + orbit * Math.Sin(a), 1, angle, 1);
                });
            }
            case SyntheticMotion.Zigzag:
            {
                double amplitude = Math.Min(random.NextDouble(0.12, 0.25), room / 2 - 0.01);
                double cycles = random.NextDouble(1.5, 2.5);
                double phase = random.NextDouble();
                double drift = Math.Min(random.NextDouble(0.1, 0.25), room - 0.01) * random.NextSign();
                double cx = random.NextDouble(low + amplitude, high - amplitude);
                double y0 = random.NextDouble(low + Math.Max(0, -drift), high - Math.Max(0, drift));
                return new(motion, (t, _) =>
                {
                    double s = cycles * t + phase;
                    double triangle = 4 * Math.Abs(s - Math.Floor(s) - 0.5) - 1;
                    return new ObjectPose(cx + amplitude * triangle, y0 + drift * t, 1, angle, 1);
                });
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(motion), motion, null);
        }
    }
}
