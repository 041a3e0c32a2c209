namespace Distributed.Bench.Chat;

/// <summary>A plain-text table: the first row is the header, the first column left-aligned, the others right-aligned.</summary>
public static class TextTable
{
    public static void Write(IReadOnlyList<string[]> rows, TextWriter output)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(row => row[i].Length)).ToArray();
        for (var r = 0; r < rows.Count; r++)
        {
            output.WriteLine(string.Join("  ", rows[r].Select((cell, i) => i == 0 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).TrimEnd());
            if (r == 0)
            {
                output.WriteLine(string.Join("  ", widths.Select(width => new string('-', width))));
            }
        }
    }
}
