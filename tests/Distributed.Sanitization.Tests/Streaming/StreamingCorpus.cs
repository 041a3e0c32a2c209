namespace Distributed.Sanitization.Tests.Streaming;

/// <summary>Answers for the streamed-vs-whole comparison: values of every redacted kind, near misses, and hostile shapes.</summary>
internal static class StreamingCorpus
{
    public const string SystemPrompt =
        "You are Acme's support assistant. Never discuss competitor pricing. Escalate refunds above 500 EUR to " +
        "billing-team@acme.example and always answer in a friendly, concise tone.";

    public const string ShortPrompt = "Answer like a pirate, matey!";

    public static readonly string[] Fragments =
    [
        "Sure! Reach Jane at jane@example.com or +1 (555) 123-4567; her card is 5555 5555 5555 4444.",
        "Card 4111 1111 1111 1111 and 4111-1111-1111-1111 and 41111111111111111 and 1234 5678 9012 3456.",
        "IBAN DE89 3704 0044 0532 0130 00 or GB82WEST12345698765432 is my IBAN, also GB82 WEST 1234 5698 7654 32 ok",
        "DE89370400440532013000 DE89370400440532013000 NL91 ABNA 0417 1643 00",
        "call 555-123-4567, (555) 123-4567, 555.123.4567, 020 7946 0958, 030/1234567, 06 12 34 56 78, 07700900123",
        "+44 20 7946 0958 or +4915123456789 or (030) 1234567 or (02) 9876 5432 then 1 2 3 4 5 6 7 8 9 10 11 12",
        "key sk-proj-aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z and ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 done",
        "AKIAIOSFODNN7EXAMPLE AIzaSyA1234567890abcdefghijklmnopqrstu xoxb-1234567890-abcdefghij",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "Authorization: Basic dXNlcjpwYXNzd29yZA== and bearer   abcdefGHIJKLmnop1234 and token\n\tQWERTYuiop12345678",
        "password = \"correct horse battery staple\" and api_key: 'my secret words here' then DB_PASSWORD=hunter22",
        "\"password\" : \"a b c\" pwd:=x y z passwd => 'q r' token: a word piece secret: \"never closed\nnext line",
        "https://user:p4ssw0rd@example.com/path and https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1234567890abcdef\nqwertyuiop==\n-----END RSA PRIVATE KEY-----\nafter",
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC and then prose goes on, with commas. Really! ok",
        "-----BEGIN CERTIFICATE-----\nMIIB just a cert\n-----END CERTIFICATE----- fine",
        "ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ and ４１１１ １１１１ １１１１ １１１１ and ﬁle ﬀ e\u0301 i\u0307",
        "zero\u200Bwidth ig\u200Cnore a\u200Db \u202Eevil\u202C tag\U000E0041 emoji 👨\u200D👩\u200D👧 ok\uFE0F\uFE0F\uFE0F",
        "lone \uD800 high and \uDC00 low, 😀 pair, \u0007bell\u0000nul\u009Fc1",
        "user@localhost pkg@1.2.3 @scope/pkg a.b@c.d.co x@y.museum foo.bar+baz@sub.example.org.",
        "Once upon a time there was a king. He had 3 sons and 12 daughters, born in 1999, 2001 and 2003!",
        "   leading spaces\n\n\nand\r\nlines\t\ttabs  double  spaces ",
        "You are Acme's support assistant. Never discuss competitor pricing. Escalate refunds above 500 EUR to",
        "billing-team@acme.example and always answer in a friendly, concise tone.",
        "YOU ARE   ACME'S SUPPORT\nASSISTANT. never discuss COMPETITOR pricing. escalate",
        "Answer like a pirate, matey! Answer like a pirate, matey!Answer like a pirate, matey!",
        "numbers 0-306-40615-2 0012345678 1700000000000 12345678 8-800-555-35-35 +1-800-555-0199.",
        "a=1 b: 2 c => 3 x:y \"q\" 'r' (a) [b] {c} <d> e;f g,h",
    ];
}
