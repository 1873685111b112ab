using System.Buffers.Binary;

namespace MoViSharp.Server.Web;

/// <summary>rgb24 pixels as an uncompressed 24-bit BMP: every browser shows it, and it needs no image library.</summary>
public static class Bitmap
{
    public static byte[] Encode(ReadOnlySpan<byte> rgb, int width, int height)
    {
        if (rgb.Length < width * height * 3) throw new ArgumentException($"A {width}x{height} rgb24 image needs {width * height * 3} bytes, got {rgb.Length}.");
        int row = (width * 3 + 3) & ~3, pixels = row * height;
        var bmp = new byte[54 + pixels];
        var s = bmp.AsSpan();
        s[0] = (byte)'B'; s[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(s[2..], bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(s[10..], 54);
        BinaryPrimitives.WriteInt32LittleEndian(s[14..], 40);
        BinaryPrimitives.WriteInt32LittleEndian(s[18..], width);
        BinaryPrimitives.WriteInt32LittleEndian(s[22..], -height);   // negative: rows top-down, as the frame is laid out
        BinaryPrimitives.WriteInt16LittleEndian(s[26..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(s[28..], 24);
        BinaryPrimitives.WriteInt32LittleEndian(s[34..], pixels);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int from = (y * width + x) * 3, to = 54 + y * row + x * 3;
                bmp[to] = rgb[from + 2]; bmp[to + 1] = rgb[from + 1]; bmp[to + 2] = rgb[from];   // BMP stores B, G, R
            }
        return bmp;
    }
}
