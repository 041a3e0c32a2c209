using System.Text;
using Distributed.Sanitization.Streaming;

namespace Distributed.Sanitization.Tests.Streaming;

public class StreamingOutputTests
{
    private static readonly string?[] Prompts = [null, StreamingCorpus.SystemPrompt, StreamingCorpus.ShortPrompt];

    private static IEnumerable<TestCaseData> Configurations()
    {
        foreach (string? prompt in Prompts)
        {
            yield return new TestCaseData(prompt, true, true).SetArgDisplayNames(Name(prompt), "redact", "echo");
        }

        yield return new TestCaseData(StreamingCorpus.SystemPrompt, false, true).SetArgDisplayNames("long", "keep", "echo");
        yield return new TestCaseData(StreamingCorpus.SystemPrompt, true, false).SetArgDisplayNames("long", "redact", "no-echo");
    }

    [TestCaseSource(nameof(Configurations))]
    public void Push_CorpusInRandomDeltas_EqualsWholeAnswer(string? prompt, bool redact, bool echo)
    {
        PromptSanitizer sanitizer = Sanitizers.Create(redactOutput: redact, blockSystemPromptEcho: echo);
        var random = new Random(17);
        var inputs = new List<string>(StreamingCorpus.Fragments);
        for (int i = 0; i < 300; i++)
        {
            inputs.Add(Compose(random, StreamingCorpus.Fragments, random.Next(1, 6)));
        }

        foreach (string input in inputs)
        {
            for (int split = 0; split < 6; split++)
            {
                AssertSame(sanitizer, prompt, input, Split(input, random, split == 0 ? 1 : 1 + random.Next(split * 3)));
            }
        }
    }

    [TestCaseSource(nameof(Configurations))]
    public void Push_GeneratedHostileText_EqualsWholeAnswer(string? prompt, bool redact, bool echo)
    {
        PromptSanitizer sanitizer = Sanitizers.Create(redactOutput: redact, blockSystemPromptEcho: echo);
        var random = new Random(4242);
        for (int i = 0; i < 3000; i++)
        {
            string input = Compose(random, HostilePieces, random.Next(1, 40));
            AssertSame(sanitizer, prompt, input, Split(input, random, 1 + random.Next(5)));
        }
    }

    [Test]
    public void Push_ProseFirstDelta_ReleasesWordsAtOnce()
    {
        StreamingOutput output = Sanitizers.Create().CreateOutputStream(null);

        string first = output.Push("Once upon a time");
        string second = output.Push(" there");

        Assert.That(first, Is.EqualTo("Once upon a "));
        Assert.That(second, Is.EqualTo("time "));
        Assert.That(output.Flush(), Is.EqualTo("there"));
    }

    [Test]
    public void Push_ProseWithSystemPrompt_ReleasesBeforeSentenceEnd()
    {
        StreamingOutput output = Sanitizers.Create().CreateOutputStream(StreamingCorpus.SystemPrompt);

        string released = output.Push("Once upon a time") + output.Push(" there");

        Assert.That(released, Does.StartWith("Once upon a"));
    }

    [TestCase(" ")]
    [TestCase("\n\n")]
    public void Push_WhitespaceBeforeTheFirstWord_IsReleasedAtOnce(string leading)
    {
        StreamingOutput output = Sanitizers.Create().CreateOutputStream(StreamingCorpus.ShortPrompt);

        Assert.That(output.Push(leading), Is.EqualTo(leading));
        Assert.That(output.Push("4111 "), Is.Empty);
    }

    [Test]
    public void Push_LongPromptSharingAWord_ReleasesTheSpaceBeforeIt()
    {
        StreamingOutput output = Sanitizers.Create(redactOutput: false).CreateOutputStream(StreamingCorpus.SystemPrompt);

        Assert.That(output.Push(" "), Is.EqualTo(" "));
        Assert.That(output.Push("Never"), Is.Empty);
        Assert.That(output.Push(" qq"), Is.EqualTo("Never qq"));
    }

    [Test]
    public void Push_TextWithoutSpaces_ReleasesEachBreakerAtOnce()
    {
        StreamingOutput output = Sanitizers.Create().CreateOutputStream(StreamingCorpus.SystemPrompt);

        string[] released = "长城很长。".Select(c => output.Push(c.ToString())).ToArray();

        Assert.That(released, Is.EqualTo(new[] { "长", "城", "很", "长", "。" }));
        Assert.That(output.Flush(), Is.Empty);
    }

    [TestCase("请致电555-123-4567。")]
    [TestCase("电话+1 415 555 0100")]
    [TestCase("电话(020) 7946 0958")]
    [TestCase("令牌token abcdef1234567890ABCDEF")]
    [TestCase("认证authorization: basic dXNlcjpwYXNzd29yZA==")]
    public void Push_ValueRightAfterABreaker_EqualsWholeAnswer(string input)
    {
        PromptSanitizer sanitizer = Sanitizers.Create();

        AssertSame(sanitizer, null, input, input.Select(c => c.ToString()));
        Assert.That(sanitizer.SanitizeOutput(input, null).Findings, Is.Not.Empty);
    }

    [Test]
    public void Push_WordBeforePunctuation_IsReleasedAtThePunctuation()
    {
        StreamingOutput output = Sanitizers.Create().CreateOutputStream(StreamingCorpus.ShortPrompt);

        Assert.That(output.Push("Sure"), Is.Empty);
        Assert.That(output.Push(","), Is.EqualTo("Sure,"));
        Assert.That(output.Push(" here"), Is.EqualTo(" "));
    }

    [Test]
    public void Push_CredentialValueWithBreakers_IsNeverCutInside()
    {
        StreamingOutput output = Sanitizers.Create().CreateOutputStream(null);
        var sent = new StringBuilder();

        foreach (char c in "use password=p!a#s;s长w and go")
        {
            sent.Append(output.Push(c.ToString()));
            Assert.That(sent.ToString(), Does.Not.Contain("p!"));
        }

        Assert.That(sent.Append(output.Flush()).ToString(), Is.EqualTo(Sanitizers.Create().SanitizeOutput("use password=p!a#s;s长w and go", null).Text));
        Assert.That(sent.ToString(), Does.Not.Contain("a#s"));
    }

    [Test]
    public void Push_ShortPromptSharingLetters_ReleasesAllButAPossibleStart()
    {
        const string prompt = "You are a helpful assistant. Answer briefly.";
        StreamingOutput output = Sanitizers.Create(redactOutput: false).CreateOutputStream(prompt);

        string shared = output.Push(" Answer a");
        string start = output.Push("nd then you are");

        Assert.That(shared, Is.EqualTo(" Answer a"));
        Assert.That(start, Is.EqualTo("nd then "));
        Assert.That(output.Push(" a helpful assistant. answer briefly"), Is.Empty);
        Assert.That(output.Push(". Bye"), Is.EqualTo("[SYSTEM PROMPT] Bye"));
    }

    [Test]
    public void Push_CardInDeltas_NeverReleasesDigitsEarly()
    {
        StreamingOutput output = Sanitizers.Create().CreateOutputStream(null);
        var sent = new StringBuilder();

        foreach (string delta in new[] { "my card 5555 ", "5555 ", "5555 ", "4444", " thanks." })
        {
            sent.Append(output.Push(delta));
            Assert.That(sent.ToString(), Does.Not.Contain("5555"));
        }

        Assert.That(sent.Append(output.Flush()).ToString(), Is.EqualTo("my card [CARD] thanks."));
        Assert.That(output.Findings, Is.EqualTo(new[] { new SanitizationFinding(FindingKinds.Card, 1) }));
    }

    [Test]
    public void Push_SystemPromptEchoInDeltas_NeverReleasesTheEcho()
    {
        StreamingOutput output = Sanitizers.Create().CreateOutputStream(StreamingCorpus.SystemPrompt);
        var sent = new StringBuilder();

        foreach (string delta in Split("My rules: " + StreamingCorpus.SystemPrompt + " Anything else?", new Random(3), 3))
        {
            sent.Append(output.Push(delta));
            Assert.That(sent.ToString(), Does.Not.Contain("competitor"));
        }

        Assert.That(sent.Append(output.Flush()).ToString(), Is.EqualTo("My rules: [SYSTEM PROMPT] Anything else?"));
        Assert.That(output.Findings, Is.EqualTo(new[] { new SanitizationFinding(FindingKinds.SystemPrompt, 1) }));
    }

    [TestCase(null)]
    [TestCase(StreamingCorpus.SystemPrompt)]
    public void Push_LongProseInTinyDeltas_ExaminesLinearlyManyChars(string? prompt)
    {
        StreamingOutput output = Sanitizers.Create().CreateOutputStream(prompt);
        string prose = Prose(200_000);
        var sent = new StringBuilder();

        foreach (string delta in Split(prose, new Random(5), 4))
        {
            sent.Append(output.Push(delta));
        }

        sent.Append(output.Flush());
        Assert.That(sent.ToString(), Is.EqualTo(Sanitizers.Create().SanitizeOutput(prose, prompt).Text));
        Assert.That(output.Examined, Is.LessThanOrEqualTo(8L * prose.Length));
    }

    [Test]
    public void Push_LongUnbrokenToken_ExaminesLinearlyManyChars()
    {
        StreamingOutput output = Sanitizers.Create().CreateOutputStream(null);
        string token = string.Concat(Enumerable.Repeat("abc123-", 20_000));

        foreach (string delta in Split(token, new Random(6), 2))
        {
            Assert.That(output.Push(delta), Is.Empty);
        }

        Assert.That(output.Flush(), Is.EqualTo(token));
        Assert.That(output.Examined, Is.LessThanOrEqualTo(8L * token.Length));
    }

    [Test]
    public void Push_LongLetterRun_ReleasesAllButItsLastLetters()
    {
        StreamingOutput output = Sanitizers.Create().CreateOutputStream(null);
        string run = string.Concat(Enumerable.Repeat("mary", 50));
        var sent = new StringBuilder();

        foreach (char c in run)
        {
            sent.Append(output.Push(c.ToString()));
        }

        Assert.That(sent.Length, Is.EqualTo(run.Length - LetterRun.Hold));
        Assert.That(sent.Append(output.Flush()).ToString(), Is.EqualTo(run));
    }

    [TestCase("hello", LetterRun.Hold)]
    [TestCase("eyJ", int.MaxValue)] // a JWT's first part: held whole
    public void Push_LetterRun_HoldsWhatMayStillBeAnAddressOrJwt(string start, int held)
    {
        StreamingOutput output = Sanitizers.Create().CreateOutputStream(null);
        string run = start + string.Concat(Enumerable.Repeat("ab", 100));
        int sent = 0;

        for (int pushed = 1; pushed <= run.Length; pushed++)
        {
            sent += output.Push(run[pushed - 1].ToString()).Length;
            Assert.That(pushed - sent, Is.GreaterThanOrEqualTo(Math.Min(held, pushed)), () => $"after {pushed} letters");
        }
    }

    [TestCaseSource(nameof(Configurations))]
    public void Push_LongLetterRunsWithKeysAndAddresses_EqualsWholeAnswer(string? prompt, bool redact, bool echo)
    {
        PromptSanitizer sanitizer = Sanitizers.Create(redactOutput: redact, blockSystemPromptEcho: echo);
        var random = new Random(65);
        string[] pieces = ["mary", "abcdefghij", "Q", "AKIA", "AIza", "eyJ", "ABCDEFGHIJKLMNOP", "@", "example.com", ".eyJ", ".", " ", "ﬁ", "4"];
        for (int i = 0; i < 1500; i++)
        {
            string input = Compose(random, pieces, random.Next(1, 60));
            AssertSame(sanitizer, prompt, input, Split(input, random, 1 + random.Next(6)));
        }

        for (int letters = 40; letters <= 150; letters++)
        {
            string run = new('q', letters);
            string[] inputs =
            [
                "Hi " + run + "@example.com ok", // a local part of 64 or fewer letters is still an address
                "Hi " + run + "eyJ" + new string('q', 70) + ".eyJabcd.efg ok", // a cut before "eyJ" would open a JWT
                "Hi AKIAABCDEFGHIJKLMNOP" + run, // a piece of exactly 20 or 39 letters would end a key
                "Hi AIzaSyAbcdefghijklmnopqrstuvwxyzABCDEFG" + run,
            ];
            foreach (string input in inputs)
            {
                AssertSame(sanitizer, prompt, input, [input]);
                AssertSame(sanitizer, prompt, input, Split(input, random, 1 + random.Next(4)));
            }

            // Two deltas, the first ending where a cut right before "eyJ" would be the last one released.
            int jwt = inputs[1].IndexOf("eyJ", StringComparison.Ordinal) + LetterRun.Hold;
            AssertSame(sanitizer, prompt, inputs[1], [inputs[1][..jwt], inputs[1][jwt..]]);
        }
    }

    [Test]
    public void Push_LongLetterRunInTinyDeltas_StreamsAndExaminesLinearlyManyChars()
    {
        StreamingOutput output = Sanitizers.Create().CreateOutputStream(StreamingCorpus.SystemPrompt);
        string run = string.Concat(Enumerable.Repeat("abcdefghij", 3_000));
        var sent = new StringBuilder();

        foreach (string delta in Split(run, new Random(8), 3))
        {
            sent.Append(output.Push(delta));
        }

        Assert.That(sent.Length, Is.GreaterThanOrEqualTo(run.Length - LetterRun.Hold - 3));
        Assert.That(sent.Append(output.Flush()).ToString(), Is.EqualTo(run));
        Assert.That(output.Examined, Is.LessThanOrEqualTo(8L * run.Length));
    }

    [Test]
    public void Push_Disabled_PassesTextThrough()
    {
        StreamingOutput output = Sanitizers.Create(enabled: false).CreateOutputStream(StreamingCorpus.SystemPrompt);

        Assert.That(output.Push("mail jane@example.com\u202E"), Is.EqualTo("mail jane@example.com\u202E"));
        Assert.That(output.Flush(), Is.Empty);
        Assert.That(output.Findings, Is.Empty);
    }

    private static readonly string[] HostilePieces =
    [
        " ", " ", " ", "  ", "\n", "\t", "\r\n", "\u00A0", "\u2028", "a", "word", "Bearer", "token", "basic", "Authorization",
        ":", "=", "=>", ":=", "\"", "'", "password", "api_key", "DB_", "secret", ".", ",", "-", "--", "-----BEGIN",
        "-----END", " PRIVATE KEY-----", "RSA", "MIIE", "==", "/", "+", "+1", "(", ")", "(555)", "555", "123", "4567",
        "0", "00", "020", "4111", "1111", "5555", "4444", "DE89", "3704", "0044", "0532", "0130", "GB82", "WEST", "NL91",
        "ABNA", "@", "jane", "example.com", "x.io", "sk-", "ghp_", "AKIA", "IOSFODNN7EXAMPLE", "eyJ", "eyJhbGciOiJIUzI1NiJ9",
        "aB3dE5fG7hJ9kL1mN3pQ5rS7", "://", "u:p@h", "\u200B", "\u200C", "\u200D", "\uFE0F", "\uD83D", "\uDE00", "😀",
        "\u202E", "ｊ", "＠", "４", "ﬁ", "\u0301", "K", "You are Acme's support assistant.", " Never discuss competitor pricing.",
        " Escalate refunds above 500 EUR to billing-team@acme.example", "Answer like a pirate, matey!",
        "\u0434\u0456\u0457", "\u957F", "\u10E3", "\u00E9", "!", "#$", ";", "{", "}", "\\", "|", "?", "*", "^", "`", "[]", "<", ">",
        "\u017F", "\u0130", "\u0131", "\u212A", "\u0301\u0434", "https://", "hooks.slack.com/services/",
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm", // 65 letters: runs cut inside
    ];

    private static void AssertSame(PromptSanitizer sanitizer, string? prompt, string input, IEnumerable<string> deltas)
    {
        SanitizedText whole = sanitizer.SanitizeOutput(input, prompt);
        StreamingOutput output = sanitizer.CreateOutputStream(prompt);
        var sent = new StringBuilder();
        foreach (string delta in deltas)
        {
            sent.Append(output.Push(delta));
        }

        sent.Append(output.Flush());
        Assert.That(sent.ToString(), Is.EqualTo(whole.Text), () => "input: " + Escape(input));
        Assert.That(output.Findings, Is.EqualTo(whole.Findings), () => "input: " + Escape(input));
    }

    private static string Compose(Random random, string[] pieces, int count)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            sb.Append(pieces[random.Next(pieces.Length)]);
            if (random.Next(3) == 0)
            {
                sb.Append(random.Next(4) switch { 0 => " ", 1 => "\n", 2 => ". ", _ => string.Empty });
            }
        }

        return sb.ToString();
    }

    /// <summary>Random deltas of 1..maxLength chars, freely splitting surrogate pairs and values.</summary>
    private static IEnumerable<string> Split(string text, Random random, int maxLength)
    {
        for (int i = 0; i < text.Length;)
        {
            int length = Math.Min(text.Length - i, 1 + random.Next(maxLength));
            yield return text.Substring(i, length);
            i += length;
        }
    }

    private static string Prose(int length)
    {
        string[] words = ["the", "king", "had", "three", "sons", "and", "a", "castle", "by", "river", "once", "upon", "time", "there", "was"];
        var random = new Random(9);
        var sb = new StringBuilder(length + 16);
        while (sb.Length < length)
        {
            sb.Append(words[random.Next(words.Length)]).Append(random.Next(12) == 0 ? ". " : " ");
        }

        return sb.ToString(0, length);
    }

    private static string Escape(string s) =>
        string.Concat(s.Select(c => c is >= ' ' and < '\u007F' ? c.ToString() : $"\\u{(int)c:X4}"));

    private static string Name(string? prompt) => prompt is null ? "none" : prompt.Length < 60 ? "short" : "long";
}
