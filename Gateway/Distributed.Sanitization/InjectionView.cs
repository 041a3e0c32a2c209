namespace Distributed.Sanitization;

/// <summary>Which normalized view of the prompt an injection pattern is matched against.</summary>
internal enum InjectionView
{
    /// <summary>Lowercase with markdown and bracket noise turned into spaces: "**ignore** all_previous instructions".</summary>
    Phrase,

    /// <summary>Lowercase with punctuation kept: chat-template tokens and line-start role labels.</summary>
    Literal,

    /// <summary>Lowercase letters and digits only: "i g n o r e  a l l  p r e v i o u s ...".</summary>
    Squashed,
}
