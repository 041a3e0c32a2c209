using System.Text;
using System.Text.RegularExpressions;

namespace Distributed.Sanitization;

/// <summary>
/// Runs every <see cref="RedactionRule"/> over the folded view, keeps the first claim on any char (rules are listed
/// most specific first: a password that looks like an email is a secret), and cuts the claimed spans out of the
/// original text in one pass.
/// </summary>
internal static class Redactor
{
    private static readonly RedactionRule[] Rules =
    [
        new(FindingKinds.Secret, RedactionPatterns.PemPrivateKey()),
        new(FindingKinds.Secret, RedactionPatterns.Jwt()),
        new(FindingKinds.Secret, RedactionPatterns.SkKey(), RedactionRule.When(SecretShape.LooksRandom)),
        new(FindingKinds.Secret, RedactionPatterns.StripeKey()),
        new(FindingKinds.Secret, RedactionPatterns.GitHubToken()),
        new(FindingKinds.Secret, RedactionPatterns.AwsAccessKeyId()),
        new(FindingKinds.Secret, RedactionPatterns.SlackToken()),
        new(FindingKinds.Secret, RedactionPatterns.GoogleApiKey()),
        new(FindingKinds.Secret, RedactionPatterns.UrlCredentials()),
        new(FindingKinds.Secret, RedactionPatterns.BasicCredentials()),
        new(FindingKinds.Secret, RedactionPatterns.BearerToken(), RedactionRule.When(SecretShape.LooksRandom)),
        new(FindingKinds.Secret, RedactionPatterns.CredentialAssignment()),
        new(FindingKinds.Email, RedactionPatterns.Email(), RedactionRule.When(static m => m.IndexOf('@') <= 64)),
        new(FindingKinds.Iban, RedactionPatterns.Iban(), Iban.AcceptedLength),
        new(FindingKinds.Card, RedactionPatterns.Card(), RedactionRule.When(PaymentCard.IsValid)),
        new(FindingKinds.Phone, RedactionPatterns.PhoneInternational(), RedactionRule.When(PhoneNumber.IsInternational)),
        new(FindingKinds.Phone, RedactionPatterns.PhoneNorthAmerican()),
        new(FindingKinds.Phone, RedactionPatterns.PhoneParenthesized(), RedactionRule.When(PhoneNumber.IsParenthesized)),
        new(FindingKinds.Phone, RedactionPatterns.PhoneTrunk(), RedactionRule.When(PhoneNumber.IsTrunk)),
    ];

    /// <summary>Returns <paramref name="source"/> with every accepted span replaced by its placeholder.</summary>
    public static string Redact(string source, FoldedText folded, FindingTally tally)
    {
        string view = folded.Text;
        bool[]? claimed = null;
        List<(int Start, int Length, RedactionRule Rule)>? spans = null;

        foreach (RedactionRule rule in Rules)
        {
            for (Match m = rule.Pattern.Match(view); m.Success; m = m.NextMatch())
            {
                Group secret = m.Groups["secret"];
                (int start, int length) = secret.Success ? (secret.Index, secret.Length) : (m.Index, m.Length);
                if (rule.Accept is not null)
                {
                    length = rule.Accept(view.AsSpan(start, length));
                }

                if (length <= 0)
                {
                    continue;
                }

                claimed ??= new bool[view.Length];
                if (claimed.AsSpan(start, length).Contains(true))
                {
                    continue;
                }

                claimed.AsSpan(start, length).Fill(true);
                (spans ??= []).Add((start, length, rule));
            }
        }

        if (spans is null)
        {
            return source;
        }

        spans.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        var sb = new StringBuilder(source.Length);
        int copied = 0;
        foreach ((int start, int length, RedactionRule rule) in spans)
        {
            (int srcStart, int srcEnd) = folded.ToSource(start, length);
            if (srcEnd <= copied)
            {
                continue; // both spans came from one source char that folded to several (a ligature); already replaced
            }

            srcStart = Math.Max(srcStart, copied);
            sb.Append(source, copied, srcStart - copied).Append(rule.Placeholder);
            copied = Math.Max(copied, srcEnd);
            tally.Add(rule.Kind);
        }

        sb.Append(source, copied, source.Length - copied);
        return sb.ToString();
    }
}
