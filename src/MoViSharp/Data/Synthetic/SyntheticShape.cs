namespace MoViSharp.Data.Synthetic;

/// <summary>The object's outline. The triangle is isosceles so that its orientation is unambiguous over a full turn.</summary>
public enum SyntheticShape
{
    Disc,
    Square,
    Triangle,
}

/// <summary>Anti-aliased coverage of a shape, computed from a signed distance in pixels.</summary>
public static class ShapeCoverage
{
    /// <summary>
    /// The fraction (0..1) of the pixel centred at (<paramref name="px"/>, <paramref name="py"/>) that the shape covers,
    /// approximated as 0.5 − signed distance, which is exact for straight edges and smooth enough at corners for
    /// sub-pixel motion to change pixel values.
    /// </summary>
    /// <param name="shape">The outline.</param>
    /// <param name="px">Pixel centre minus shape centre, horizontal, in pixels.</param>
    /// <param name="py">Pixel centre minus shape centre, vertical, in pixels.</param>
    /// <param name="radius">The shape's radius in pixels (the disc's radius, the square's and triangle's circumradius scale).</param>
    /// <param name="cos">Cosine of the rotation angle.</param>
    /// <param name="sin">Sine of the rotation angle.</param>
    public static double Of(SyntheticShape shape, double px, double py, double radius, double cos, double sin)
    {
        // Into the shape's own frame (rotate by -angle; the angle is clockwise in y-down screen coordinates).
        double x = cos * px + sin * py;
        double y = -sin * px + cos * py;
        double distance = shape switch
        {
            SyntheticShape.Disc => Math.Sqrt(x * x + y * y) - radius,
            // Half side 0.85 r: about the disc's area, so size does not give the shape away.
            SyntheticShape.Square => Math.Max(Math.Abs(x), Math.Abs(y)) - 0.85 * radius,
            SyntheticShape.Triangle => TriangleDistance(x, y, radius),
            _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, null),
        };
        return Math.Clamp(0.5 - distance, 0, 1);
    }

    // Apex at (0, -1.15 r), base corners at (±0.8 r, 0.75 r): a tall isosceles triangle pointing up when unrotated.
    private static readonly (double Nx, double Ny, double Offset)[] TriangleEdges = BuildTriangleEdges();

    private static (double, double, double)[] BuildTriangleEdges()
    {
        (double X, double Y)[] corners = [(0, -1.15), (0.8, 0.75), (-0.8, 0.75)];
        var edges = new (double, double, double)[3];
        for (int i = 0; i < 3; i++)
        {
            var (ax, ay) = corners[i];
            var (bx, by) = corners[(i + 1) % 3];
            // Outward normal of edge a→b for clockwise-on-screen corner order.
            double nx = by - ay, ny = -(bx - ax);
            double length = Math.Sqrt(nx * nx + ny * ny);
            nx /= length;
            ny /= length;
            edges[i] = (nx, ny, nx * ax + ny * ay);
        }
        return edges;
    }

    private static double TriangleDistance(double x, double y, double radius)
    {
        double distance = double.NegativeInfinity;
        foreach (var (nx, ny, offset) in TriangleEdges)
            distance = Math.Max(distance, nx * x + ny * y - offset * radius);
        return distance;
    }
}
