using System.Text;

namespace Distributed.Sanitization.Tests;

public class RobustnessTests
{
    // Generous wall-clock bound per call on a loaded CI machine; linear code finishes in milliseconds.
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);
    private const int Size = 200 * 1024;

    private static readonly PromptSanitizer Flagging = Sanitizers.Create(InjectionMode.Flag);

    private static IEnumerable<TestCaseData> AdversarialInputs()
    {
        string[] units =
        [
            "a", "1", "1 ", "1-", "@", "a@", "a.", "a@b.", "+1", "+1 ", "0 ", "(0", "(01) ", "x", "AB12", "GB82 ",
            "eyJ", "eyJa.", "sk-", "ghp_", "-----BEGIN PRIVATE KEY-----!", "-----BEGIN PRIVATE KEY-----", "password=",
            "bearer ", "ignore ", "ignore all ", "forget ", "system: ", "<|", "you are ", "pretend you ", "don't ",
            "\u200B", "\uFF41", "\U0001D41A", "\u0301", "\uFB01", "\t\n", " ", "\n", ". ", ".", ":\n", "*", "<", "[",
            "a ", "A1", "dan ", "now ", ", ", "disregard the ", "what is your ", "act as ", "reveal ", "\uFF0B1",
            "\u0456", "4111 ", "(555) ", "DE89", "api_key", "://a:", "xox", "AKIA", "e\u0301",
        ];
        foreach (string unit in units)
        {
            var sb = new StringBuilder(Size + unit.Length);
            while (sb.Length < Size)
            {
                sb.Append(unit);
            }

            yield return new TestCaseData(sb.ToString()).SetArgDisplayNames($"repeat({Describe(unit)})");
        }
    }

    [TestCaseSource(nameof(AdversarialInputs))]
    public void SanitizeInput_AdversarialRepetition_FinishesWithoutTimeout(string input)
    {
        SanitizedText result = RunBounded(() => Flagging.SanitizeInput(input));

        Assert.That(result.BlockReason, Is.Null);
    }

    [TestCaseSource(nameof(AdversarialInputs))]
    public void SanitizeOutput_AdversarialRepetition_FinishesWithoutTimeout(string input)
    {
        SanitizedText result = RunBounded(() => Flagging.SanitizeOutput(input, input[..Math.Min(input.Length, 5000)]));

        Assert.That(result.Blocked, Is.False);
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    [TestCase(5)]
    public void SanitizeInput_RandomGarbage_NeverThrows(int seed)
    {
        var random = new Random(seed);
        string input = RandomText(random, Size);
        string systemPrompt = RandomText(random, 2000);

        SanitizedText inResult = RunBounded(() => Flagging.SanitizeInput(input));
        SanitizedText outResult = RunBounded(() => Flagging.SanitizeOutput(input, systemPrompt));

        // It returned (RunBounded fails on an exception or a hang), and it is a function of its input: the same again.
        Assert.That(RunBounded(() => Flagging.SanitizeInput(input)).Text, Is.EqualTo(inResult.Text));
        Assert.That(RunBounded(() => Flagging.SanitizeOutput(input, systemPrompt)).Text, Is.EqualTo(outResult.Text));
        Assert.That(inResult.BlockReason, Is.Not.EqualTo("Sanitization timed out."));
        Assert.That(outResult.Blocked, Is.False);
        Assert.That(HasLoneSurrogate(inResult.Text), Is.False);
    }

    [Test]
    public void SanitizeInput_ManySmallRandomStrings_NeverThrow()
    {
        var random = new Random(42);
        PromptSanitizer sanitizer = Sanitizers.Create(InjectionMode.Block);
        RunBounded(() =>
        {
            for (int i = 0; i < 3000; i++)
            {
                string s = RandomText(random, random.Next(0, 200));
                sanitizer.SanitizeInput(s);
                sanitizer.SanitizeOutput(s, s);
            }

            return 0;
        });
    }

    [Test]
    public void SanitizeInput_Null_IsTreatedAsEmpty()
    {
        SanitizedText result = Flagging.SanitizeInput(null!);

        Assert.That(result.Text, Is.Empty);
        Assert.That(Flagging.SanitizeOutput(null!, null).Text, Is.Empty);
    }

    [Test]
    public void SanitizeInput_OverMaxLength_FailsClosed()
    {
        string input = new('a', PromptSanitizer.MaxTextLength + 1);

        SanitizedText result = Flagging.SanitizeInput(input);

        Assert.That(result.Blocked, Is.True);
        Assert.That(result.Text, Is.Empty);
        Assert.That(result.BlockReason, Does.Contain("longer than"));
    }

    [Test]
    public void SanitizeInput_ConcurrentCalls_AreIndependent()
    {
        PromptSanitizer sanitizer = Sanitizers.Create(InjectionMode.Flag);
        Parallel.For(0, 200, i =>
        {
            SanitizedText result = sanitizer.SanitizeInput($"user{i}@example.com");
            Assert.That(result.Text, Is.EqualTo("[EMAIL]"));
        });
    }

    private static T RunBounded<T>(Func<T> action)
    {
        Task<T> task = Task.Run(action);
        Assert.That(task.Wait(Budget), Is.True, "sanitizer did not finish in time");
        return task.Result;
    }

    private static string RandomText(Random random, int length)
    {
        var sb = new StringBuilder(length);
        string[] fragments = ["@", ".com", " ", "+", "-", "4111", "eyJ", "ignore", "\u200B", "\uD800", "\uDC00", "\u0000", "\uFFFF"];
        while (sb.Length < length)
        {
            switch (random.Next(4))
            {
                case 0:
                    sb.Append(fragments[random.Next(fragments.Length)]);
                    break;
                case 1:
                    sb.Append((char)random.Next(0, 0x80));
                    break;
                default:
                    sb.Append((char)random.Next(0, 0x10000)); // includes lone surrogates and noncharacters
                    break;
            }
        }

        return sb.ToString();
    }

    private static bool HasLoneSurrogate(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static string Describe(string unit) =>
        string.Concat(unit.Select(c => c is >= ' ' and < '\u007F' ? c.ToString() : $"\\u{(int)c:X4}"));
}
