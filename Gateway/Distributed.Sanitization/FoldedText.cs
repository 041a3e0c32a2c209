namespace Distributed.Sanitization;

/// <summary>
/// The folded view of a text plus, when folding changed anything, the source range of each folded char, so a match
/// found in the view can be cut out of the original text. Null maps mean the view is the source itself.
/// </summary>
internal sealed class FoldedText(string text, int[]? sourceStart, int[]? sourceEnd)
{
    public string Text { get; } = text;

    /// <summary>Source range [start, end) covered by folded chars [index, index + length).</summary>
    public (int Start, int End) ToSource(int index, int length) =>
        sourceStart is null || sourceEnd is null
            ? (index, index + length)
            : (sourceStart[index], sourceEnd[index + length - 1]);
}
