namespace MoViSharp.Data.Synthetic;

/// <summary>The kinds of static background a clip can have.</summary>
public enum SyntheticBackgroundKind
{
    Solid,
    Gradient,
    /// <summary>Smooth value noise: a coarse random grid blended bilinearly between two colours.</summary>
    Texture,
}

/// <summary>A clip's static background: kind, two colours and the kind's parameters, all drawn from the clip's generator.</summary>
public sealed class SyntheticBackground
{
    private const int TextureGrid = 6;

    private SyntheticBackground(SyntheticBackgroundKind kind, Rgb first, Rgb second, double angle, double[] grid)
    {
        Kind = kind;
        First = first;
        Second = second;
        this.angle = angle;
        this.grid = grid;
    }

    private readonly double angle;
    private readonly double[] grid;

    public SyntheticBackgroundKind Kind { get; }

    public Rgb First { get; }

    public Rgb Second { get; }

    public static SyntheticBackground Sample(ref SplitMix64 random)
    {
        var kind = (SyntheticBackgroundKind)random.NextInt(3);
        var first = Rgb.Sample(ref random, 0.05, 0.95);
        // Solid backgrounds use one colour; drawing the second anyway keeps the stream's layout the same for every kind.
        var second = Rgb.Sample(ref random, 0.05, 0.95);
        double angle = random.NextDouble(0, 2 * Math.PI);
        var grid = new double[(TextureGrid + 1) * (TextureGrid + 1)];
        for (int i = 0; i < grid.Length; i++)
            grid[i] = random.NextDouble();
        return new SyntheticBackground(kind, first, kind == SyntheticBackgroundKind.Solid ? first : second, angle, grid);
    }

    /// <summary>Renders the background as H×W×3 float values in [0, 1].</summary>
    public float[] Render(int size)
    {
        var image = new float[size * size * 3];
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        for (int y = 0; y < size; y++)
        {
            double v = (y + 0.5) / size;
            for (int x = 0; x < size; x++)
            {
                double u = (x + 0.5) / size;
                double mix = Kind switch
                {
                    SyntheticBackgroundKind.Solid => 0,
                    // Projection onto the gradient direction, mapped from [-0.71, 0.71] to about [0, 1].
                    SyntheticBackgroundKind.Gradient => Math.Clamp(0.5 + ((u - 0.5) * cos + (v - 0.5) * sin) / Math.Sqrt(2), 0, 1),
                    _ => TextureAt(u, v),
                };
                int at = (y * size + x) * 3;
                image[at] = (float)(First.R + (Second.R - First.R) * mix);
                image[at + 1] = (float)(First.G + (Second.G - First.G) * mix);
                image[at + 2] = (float)(First.B + (Second.B - First.B) * mix);
            }
        }
        return image;
    }

    private double TextureAt(double u, double v)
    {
        double gx = u * TextureGrid, gy = v * TextureGrid;
        int x0 = Math.Min((int)gx, TextureGrid - 1), y0 = Math.Min((int)gy, TextureGrid - 1);
        double fx = Smooth(gx - x0), fy = Smooth(gy - y0);
        int row = TextureGrid + 1;
        double top = grid[y0 * row + x0] + (grid[y0 * row + x0 + 1] - grid[y0 * row + x0]) * fx;
        double bottom = grid[(y0 + 1) * row + x0] + (grid[(y0 + 1) * row + x0 + 1] - grid[(y0 + 1) * row + x0]) * fx;
        return top + (bottom - top) * fy;
    }

    private static double Smooth(double t) => t * t * (3 - 2 * t);
}
