using System.Text.RegularExpressions;

namespace Distributed.Sanitization;

/// <summary>
/// Source-generated detectors for redaction. They run on the folded view (<see cref="UnicodeFold"/>), so only ASCII
/// classes are needed; lookarounds test ASCII word chars too (not Unicode <c>\w</c>/<c>\b</c>), so a number or
/// "token" right after a CJK or Cyrillic letter, in text written without spaces, is found as after a space. Every quantifier is bounded or atomic and every candidate is anchored to a run boundary by a
/// lookbehind, which keeps matching linear on adversarial 100 KB inputs; the timeout is a last resort.
/// </summary>
internal static partial class RedactionPatterns
{
    internal const int TimeoutMs = 1000;
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    // ---- email: local@label.label.tld; a dotted domain with an alphabetic (or punycode) TLD is required, so
    // "user@localhost", "pkg@1.2.3" and "@scope/pkg" are left alone. The local part is an unbounded loop on purpose:
    // leftmost matching already starts it at the run start, and the engine can then search for '@' first. Its
    // 64-char limit is checked in code.
    [GeneratedRegex(
        @"[A-Za-z0-9._%+\-]+@(?:[A-Za-z0-9\-]{1,63}\.){1,8}(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9\-]{1,59})(?![A-Za-z0-9\-]|\.[A-Za-z0-9])",
        Options, TimeoutMs)]
    internal static partial Regex Email();

    // ---- payment card: a whole run of 13-19 digits, single spaces/dashes allowed; Luhn and IIN are checked in code.
    [GeneratedRegex(@"(?<![0-9A-Za-z]|[0-9][ \-])[0-9](?:[ \-]?[0-9]){12,18}(?![ \-]?[0-9])(?![A-Za-z])", Options, TimeoutMs)]
    internal static partial Regex Card();

    // ---- IBAN: country + check digits + 11-30 alphanumerics, optionally in space-separated groups; length per
    // country and mod-97 are checked in code (which also trims a trailing word the greedy loop picked up).
    [GeneratedRegex(@"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}(?:[ ]?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])", Options, TimeoutMs)]
    internal static partial Regex Iban();

    // ---- phone numbers (digit counts are checked in code). Each form must cover the whole digit-group run.
    // International: "+" country code then groups, e.g. +1 (555) 123-4567, +44 20 7946 0958, +4915123456789.
    [GeneratedRegex(@"(?<![A-Za-z0-9_+])\+[1-9](?>(?:[ .\-]?(?:\([0-9]{1,5}\)|[0-9]+)){1,8})(?![ .\-]?[0-9])(?![A-Za-z])", Options, TimeoutMs)]
    internal static partial Regex PhoneInternational();

    // North American 3-3-4: 555-123-4567, (555) 123-4567, 555.123.4567 (area code starts 2-9).
    [GeneratedRegex(@"(?<![A-Za-z0-9_+]|[0-9][ .\-])(?:\([2-9][0-9]{2}\)[ ]?|[2-9][0-9]{2}[ .\-])[0-9]{3}[ .\-][0-9]{4}(?![ .\-]?[0-9])(?![A-Za-z])", Options, TimeoutMs)]
    internal static partial Regex PhoneNorthAmerican();

    // National with trunk prefix 0 (or 00 international prefix): 020 7946 0958, 030/1234567, 06 12 34 56 78, 07700900123.
    [GeneratedRegex(@"(?<![A-Za-z0-9_+]|[0-9][ .\-/])0{1,2}[1-9](?>(?:[ .\-/]?[0-9]+){1,6})(?![ .\-/]?[0-9])(?![A-Za-z])", Options, TimeoutMs)]
    internal static partial Regex PhoneTrunk();

    // Parenthesised area code: (030) 1234567, (02) 9876 5432.
    [GeneratedRegex(@"(?<![A-Za-z0-9_+])\((?:0[0-9]{1,4}|[1-9][0-9]{1,2})\)[ .\-]?(?>(?:[ .\-]?[0-9]+){1,5})(?![ .\-]?[0-9])(?![A-Za-z])", Options, TimeoutMs)]
    internal static partial Regex PhoneParenthesized();

    // ---- secrets. Where a label carries meaning ("Bearer", "password="), only the <secret> group is replaced.
    // PEM private keys; without an END line the base64 body that follows is taken (fail safe).
    [GeneratedRegex(
        @"-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?>(?:[A-Za-z0-9+/=\s:,.]|-(?!----END)){0,16384})(?:-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----)?",
        Options, TimeoutMs)]
    internal static partial Regex PemPrivateKey();

    // JSON Web Tokens: base64url header and payload that both start with '{"' (eyJ), signature optional (alg none).
    [GeneratedRegex(@"(?<![A-Za-z0-9_\-])eyJ[A-Za-z0-9_\-]{8,4096}\.eyJ[A-Za-z0-9_\-]{4,8192}\.[A-Za-z0-9_\-]{0,4096}", Options, TimeoutMs)]
    internal static partial Regex Jwt();

    // OpenAI / Anthropic style "sk-..." (incl. sk-proj-, sk-ant-api03-); randomness is checked in code.
    [GeneratedRegex(@"(?<![A-Za-z0-9_\-])sk-[A-Za-z0-9_\-]{20,256}", Options, TimeoutMs)]
    internal static partial Regex SkKey();

    // Stripe secret/publishable/restricted keys and webhook secrets.
    [GeneratedRegex(@"(?<![A-Za-z0-9_\-])(?:(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,247}|whsec_[A-Za-z0-9]{20,256})", Options, TimeoutMs)]
    internal static partial Regex StripeKey();

    // GitHub tokens: ghp_/gho_/ghu_/ghs_/ghr_ and fine-grained github_pat_.
    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])", Options, TimeoutMs)]
    internal static partial Regex GitHubToken();

    // AWS access key ids (long-term AKIA, temporary ASIA, and the rarer ABIA/ACCA).
    [GeneratedRegex(@"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])", Options, TimeoutMs)]
    internal static partial Regex AwsAccessKeyId();

    // Slack tokens (xoxb-, xoxp-, xoxa-, ...) and incoming-webhook URLs.
    [GeneratedRegex(@"(?<![A-Za-z0-9])xox[abposre]-[A-Za-z0-9\-]{10,250}|https://hooks\.slack\.com/services/[A-Za-z0-9/_\-]{20,256}", Options, TimeoutMs)]
    internal static partial Regex SlackToken();

    // Google API keys.
    [GeneratedRegex(@"(?<![A-Za-z0-9_\-])AIza[0-9A-Za-z_\-]{35}(?![A-Za-z0-9_\-])", Options, TimeoutMs)]
    internal static partial Regex GoogleApiKey();

    // Password inside a URL: scheme://user:<secret>@host.
    [GeneratedRegex(@"://[^\s/:@]{1,64}:(?<secret>[^\s/@]{1,128})@", Options, TimeoutMs)]
    internal static partial Regex UrlCredentials();

    // Authorization schemes: "Bearer <token>", "token <token>" (randomness checked in code), "Authorization: Basic <b64>".
    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?:bearer|token)\s{1,8}(?<secret>[A-Za-z0-9\-._~+/]{16,4096}=*)", Options | RegexOptions.IgnoreCase, TimeoutMs)]
    internal static partial Regex BearerToken();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])authorization[""']?\s{0,8}[:=]\s{0,8}[""']?basic\s{1,8}(?<secret>[A-Za-z0-9+/]{8,4096}={0,2})", Options | RegexOptions.IgnoreCase, TimeoutMs)]
    internal static partial Regex BasicCredentials();

    // key=value / key: value / "key": "value" assignments for credential-like key names, also with a prefix
    // (DB_PASSWORD, x-api-key). Bare "token"/"secret" need such a prefix (GITHUB_TOKEN, client.secret) so prose such as
    // "each token: a word piece" is left alone.
    [GeneratedRegex(
        @"(?<![A-Za-z])(?:api[_\-]?key|apikey|api[_\-]?secret|secret[_\-]?key|client[_\-]?secret|access[_\-]?key(?:[_\-]?id)?|secret[_\-]?access[_\-]?key|access[_\-]?token|auth[_\-]?token|refresh[_\-]?token|session[_\-]?token|id[_\-]?token|private[_\-]?key|password|passwd|passphrase|pwd|(?<=[A-Za-z0-9][_\-.])(?:token|secret))[""']?\s{0,8}(?:=>|:=|=|:)\s{0,8}(?:""(?<secret>[^""\r\n]{1,512})""|'(?<secret>[^'\r\n]{1,512})'|(?<secret>[^\s""'`,;&<>()\[\]{}]{3,512}))",
        Options | RegexOptions.IgnoreCase, TimeoutMs)]
    internal static partial Regex CredentialAssignment();

    // Streaming only: the text before a quote that opens a CredentialAssignment value. Looser than that pattern (no
    // lookbehinds, bare token/secret), so it finds every quote whose value may still span words.
    [GeneratedRegex(
        @"(?:api[_\-]?key|apikey|api[_\-]?secret|secret[_\-]?key|client[_\-]?secret|access[_\-]?key(?:[_\-]?id)?|secret[_\-]?access[_\-]?key|access[_\-]?token|auth[_\-]?token|refresh[_\-]?token|session[_\-]?token|id[_\-]?token|private[_\-]?key|password|passwd|passphrase|pwd|token|secret)[""']?\s{0,8}(?:=>|:=|=|:)\s{0,8}\z",
        Options | RegexOptions.IgnoreCase, TimeoutMs)]
    internal static partial Regex CredentialValueOpening();
}
