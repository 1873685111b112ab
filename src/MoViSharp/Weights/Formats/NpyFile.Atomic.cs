namespace MoViSharp.Weights.Formats;

public static partial class NpyFile
{
    /// <summary>
    /// Writes a file so that readers see either the old file or the complete new one, never a partial one:
    /// the content goes to a temporary file in the same folder (same file system, so the rename is atomic),
    /// is flushed to disk, then renamed over <paramref name="path"/>. The temporary file is removed on failure.
    /// </summary>
    internal static void WriteAtomically(string path, Action<Stream> write)
    {
        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath) ?? ".";
        string temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
