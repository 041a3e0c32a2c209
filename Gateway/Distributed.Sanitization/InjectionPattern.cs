using System.Text.RegularExpressions;

namespace Distributed.Sanitization;

/// <summary>A named injection phrasing; <see cref="Name"/> is what <see cref="SanitizedText.BlockReason"/> reports.</summary>
internal sealed record InjectionPattern(string Name, Regex Pattern, InjectionView View);
