namespace PaymentSwitch.Host.Commands.Journal;

/// <summary>A plain-text table for the console: the first column left-aligned, the others right-aligned.</summary>
internal sealed class JournalTextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length) throw new ArgumentException($"a row needs {headers.Length} cells, not {cells.Length}", nameof(cells));
        _rows.Add(cells);
    }

    public void Write(TextWriter w, string indent)
    {
        int[] widths = new int[headers.Length];
        for (int c = 0; c < headers.Length; c++)
        {
            widths[c] = headers[c].Length;
            foreach (string[] row in _rows) widths[c] = Math.Max(widths[c], row[c].Length);
        }
        WriteRow(w, indent, headers, widths);
        foreach (string[] row in _rows) WriteRow(w, indent, row, widths);
    }

    private static void WriteRow(TextWriter w, string indent, string[] cells, int[] widths)
    {
        w.Write(indent);
        for (int c = 0; c < cells.Length; c++)
        {
            if (c > 0) w.Write("  ");
            w.Write(c == 0 ? cells[c].PadRight(widths[c]) : cells[c].PadLeft(widths[c]));
        }
        w.WriteLine();
    }
}
